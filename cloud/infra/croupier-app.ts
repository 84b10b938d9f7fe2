import { type App, Tags, Validations } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { topicRules } from '../definitions/topic-rules.js';
import type { EnvironmentConfig } from './config/schema.js';
import { AlertsStack } from './stacks/alerts-stack.js';
import { EdgeStack } from './stacks/edge-stack.js';
import { FloorApiStack } from './stacks/floor-api-stack.js';
import { IngestStack } from './stacks/ingest-stack.js';
import { MlStack } from './stacks/ml-stack.js';
import { ObservabilityStack } from './stacks/observability-stack.js';
import { ProcessingStack, type ProcessorDeclaration } from './stacks/processing-stack.js';
import { StorageStack } from './stacks/storage-stack.js';

/** Floor API handler under `cloud/src/handlers/`. */
export const FLOOR_API_HANDLER = 'floor-api.ts';

export interface CroupierStacks {
  readonly storage: StorageStack;
  readonly alerts: AlertsStack;
  readonly ingest: IngestStack;
  readonly edge: EdgeStack;
  readonly processing: ProcessingStack;
  readonly floorApi?: FloorApiStack;
  readonly ml: MlStack;
  readonly observability: ObservabilityStack;
}

export interface CroupierAppOptions {
  /** Overrides for tests; production uses the declarations in the stacks. */
  readonly processors?: readonly ProcessorDeclaration[];
  readonly lakeTransformHandler?: string;
  readonly floorApiHandler?: string;
  /** Register the cdk-nag AwsSolutions pack as a validation plugin: synthesis fails on any unacknowledged finding. */
  readonly nag?: boolean;
}

/**
 * Adds one environment's Croupier stacks to `app`, in dependency order:
 * storage → alerts → ingest → edge → processing → floor API → ML → observability.
 */
export function addCroupierStacks(
  app: App,
  config: EnvironmentConfig,
  options: CroupierAppOptions = {},
): CroupierStacks {
  const env = { ...(config.account ? { account: config.account } : {}), region: config.region };
  const prefix = `Croupier-${config.name}`;
  const logRetention = config.retention.logDays as logs.RetentionDays;

  const storage = new StorageStack(app, `${prefix}-Storage`, { env, config });
  const alerts = new AlertsStack(app, `${prefix}-Alerts`, { env, config });
  const ingest = new IngestStack(app, `${prefix}-Ingest`, {
    env,
    config,
    dataKey: storage.dataKey,
  });
  ingest.addStackDependency(storage, 'topic rules write failed actions to the lake');
  const edge = new EdgeStack(app, `${prefix}-Edge`, {
    env,
    config,
    accessLogsBucket: storage.accessLogsBucket,
  });
  const processing = new ProcessingStack(app, `${prefix}-Processing`, {
    env,
    config,
    logRetention,
    streams: ingest.streams,
    streamKey: ingest.streamKey,
    dataKey: storage.dataKey,
    maintenanceTopic: alerts.maintenanceTopic,
    operationsTopic: alerts.operationsTopic,
    alertsKey: alerts.key,
    ...(options.processors ? { processors: options.processors } : {}),
    ...(options.lakeTransformHandler ? { lakeTransformHandler: options.lakeTransformHandler } : {}),
  });
  processing.addStackDependency(storage, 'processors write the tables and the lake');
  const floorApiHandler = options.floorApiHandler ?? FLOOR_API_HANDLER;
  const floorApi = floorApiHandler
    ? new FloorApiStack(app, `${prefix}-FloorApi`, {
        env,
        config,
        logRetention,
        handler: floorApiHandler,
        dataKey: storage.dataKey,
        // Writers change the responsible-gaming list, answer offers and acknowledge alerts.
        tables: {
          players: 'read',
          sessions: 'read',
          offers: 'readWrite',
          responsibleGaming: 'readWrite',
          devices: 'read',
          alerts: 'readWrite',
          ingest: 'read',
          kpis: 'read',
        },
        publishesDownlink: false,
      })
    : undefined;
  floorApi?.addStackDependency(storage, 'the API reads and writes the tables');
  const ml = new MlStack(app, `${prefix}-Ml`, {
    env,
    config,
    logRetention,
    dataKey: storage.dataKey,
    artifactsKey: edge.artifactsKey,
    modelThingGroupArn: edge.modelThingGroupArn,
    modelThingGroupName: config.edge.modelThingGroupName,
  });
  ml.addStackDependency(storage, 'the pipeline queries the lake through the Athena workgroup');
  ml.addStackDependency(edge, 'the pipeline writes models to the component-artifacts bucket');
  const observability = new ObservabilityStack(app, `${prefix}-Observability`, {
    env,
    config,
    operationsTopic: alerts.operationsTopic,
    streams: ingest.streams,
    topicRules,
    processors: processing.processors,
    trainingPipeline: ml.stateMachine,
  });

  Tags.of(app).add('croupier:environment', config.name);
  Tags.of(app).add('croupier:application', 'croupier');
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { storage, alerts, ingest, edge, processing, ...(floorApi ? { floorApi } : {}), ml, observability };
}
