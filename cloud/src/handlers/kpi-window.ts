import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { createDynamoDbDocumentClient } from '../../aws/clients.js';
import { defaultTableNames } from '../common/table-names.js';
import { parseEnv } from '../config/env.js';
import { KpiStore } from '../kpi/kpi-store.js';
import { handleKpiWindow, type KpiWindowPorts, type TumblingWindowEvent } from '../kpi/kpi-window.js';
import { countOpenAlerts } from '../kpi/open-alerts.js';

const KpiEnv = z.object({ KPI_SOURCE: z.enum(['slot', 'shuffler']) });

let ports: KpiWindowPorts | undefined;

/**
 * Lambda entry point of the KPI functions: one per stream, with a tumbling window on its
 * event-source mapping; `KPI_SOURCE` says which stream it reads.
 */
export const handler = async (event: TumblingWindowEvent) => {
  if (!ports) {
    const { KPI_SOURCE } = parseEnv(KpiEnv);
    const dynamo = createDynamoDbDocumentClient();
    const tables = defaultTableNames();
    ports = {
      source: KPI_SOURCE,
      store: new KpiStore(dynamo, tables.kpis),
      metrics: new Metrics({ namespace: 'Croupier', serviceName: `kpi-${KPI_SOURCE}` }),
      logger: new Logger({ serviceName: `kpi-${KPI_SOURCE}` }),
      openAlerts: () => countOpenAlerts(dynamo, tables.alerts),
      now: Date.now,
    };
  }
  return handleKpiWindow(event, ports);
};
