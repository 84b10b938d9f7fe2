/**
 * DynamoDB tables, defined once: the CDK app creates them in AWS (on-demand, PITR, encryption) and
 * the local cloud creates them in dynalite from this same list. Keys are strings unless noted.
 */
export interface KeyDefinition {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: KeyDefinition;
  readonly sortKey?: KeyDefinition;
}

export interface TableDefinition {
  readonly id: string;
  readonly name: string;
  readonly partitionKey: KeyDefinition;
  readonly sortKey?: KeyDefinition;
  /** Attribute holding an epoch-seconds expiry, if items expire. */
  readonly ttlAttribute?: string;
  readonly globalSecondaryIndexes?: readonly IndexDefinition[];
  readonly purpose: string;
}

const s = (name: string): KeyDefinition => ({ name, type: 'S' });

export const tables: readonly TableDefinition[] = [
  {
    id: 'players',
    name: 'croupier-players',
    partitionKey: s('playerToken'),
    purpose: 'Player profile and rating (theo, ADT over the last N trips, tier), keyed by the HMAC token.',
  },
  {
    id: 'sessions',
    name: 'croupier-sessions',
    partitionKey: s('playerToken'),
    sortKey: s('sessionId'),
    globalSecondaryIndexes: [{ name: 'byMachine', partitionKey: s('machineId'), sortKey: s('startedAt') }],
    purpose: 'Rated sessions from card in to card out: coin-in, games, actual and theoretical win.',
  },
  {
    id: 'offers',
    name: 'croupier-offers',
    partitionKey: s('playerToken'),
    sortKey: s('offerId'),
    ttlAttribute: 'expiresAt',
    purpose: 'Offers made in session, their responses, and every offer decision with its reason.',
  },
  {
    id: 'responsibleGaming',
    name: 'croupier-responsible-gaming',
    partitionKey: s('playerToken'),
    purpose: 'Self-exclusion and cool-off list; no offer is ever made to a player listed here.',
  },
  {
    id: 'devices',
    name: 'croupier-devices',
    partitionKey: s('deviceId'),
    purpose: 'Shuffler health: last telemetry, failure risk, service history.',
  },
  {
    id: 'alerts',
    name: 'croupier-alerts',
    partitionKey: s('deviceId'),
    sortKey: s('alertId'),
    globalSecondaryIndexes: [{ name: 'byState', partitionKey: s('state'), sortKey: s('raisedAt') }],
    purpose: 'Maintenance alerts: raised, acknowledged, resolved; one open alert per device and cause.',
  },
  {
    id: 'ingest',
    name: 'croupier-ingest',
    partitionKey: s('pk'),
    sortKey: s('sk'),
    ttlAttribute: 'expiresAt',
    purpose: 'Processed event ids (de-duplication across batches and retries) and per-core sequence tracking and gaps.',
  },
  {
    id: 'kpis',
    name: 'croupier-kpis',
    partitionKey: s('metric'),
    sortKey: s('window'),
    ttlAttribute: 'expiresAt',
    purpose: 'Real-time KPIs from tumbling windows: coin-in per zone per minute, active players, games, open alerts.',
  },
];

/** Looks a table up by logical id; throws on an unknown id because that is a programming error. */
export function tableById(id: string): TableDefinition {
  const table = tables.find((t) => t.id === id);
  if (!table) throw new Error(`unknown table id ${id}`);
  return table;
}
