import { tableById } from '../../definitions/tables.js';

/** Physical names of the tables the processors and the API use, resolved once from the shared definitions. */
export interface TableNames {
  readonly players: string;
  readonly sessions: string;
  readonly offers: string;
  readonly responsibleGaming: string;
  readonly devices: string;
  readonly alerts: string;
  readonly ingest: string;
  readonly kpis: string;
}

/** The table names as the CDK app and the local cloud create them. */
export function defaultTableNames(): TableNames {
  return {
    players: tableById('players').name,
    sessions: tableById('sessions').name,
    offers: tableById('offers').name,
    responsibleGaming: tableById('responsibleGaming').name,
    devices: tableById('devices').name,
    alerts: tableById('alerts').name,
    ingest: tableById('ingest').name,
    kpis: tableById('kpis').name,
  };
}
