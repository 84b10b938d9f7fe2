import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createDynamoDbDocumentClient } from '@croupier/cloud/aws/clients';
import { loadEnvironmentConfig } from '@croupier/cloud/infra/config/load';
import { LOCAL_CREDENTIALS, type LocalCloud, startLocalCloud } from '@croupier/cloud/local/local-cloud';
import { parseLocalCloudConfig } from '@croupier/cloud/local/local-cloud-config';
import { LOCAL_TOPICS } from '@croupier/contracts';
import { ensurePlayerTokenKey } from '@croupier/simulators';
import { type RunningComponent, startComponent } from './component-process.js';
import type { Reporter } from './console-reporter.js';
import { ensureFailureModel } from './failure-model-artifacts.js';
import { floorPipelineSource, startFloorApi } from './floor-api-server.js';
import { floorComponents } from './floor-components.js';
import { openFloorLog } from './floor-log.js';
import { openFloorPki } from './floor-pki.js';
import type { FloorSummary } from './floor-summary.js';
import type { FlowCounters } from './flow-rates.js';
import { currentFailureModelDir, startLocalDeployments } from './local-deployments.js';
import {
  type LocalPubSubBroker,
  localPubSubSessionDir,
  localPubSubSessionKeyPath,
  startLocalPubSubBroker,
} from './local-pubsub-broker.js';
import type { StartOptions } from './options.js';
import {
  loadScenario,
  type RunningShufflerFloor,
  startSimulatedShufflers,
  timeScaledPredictorConfiguration,
} from './shuffler-floor.js';
import { loadSlotFloorScenario, prepareSlotFloor, type RunningSlotFloor, startSlotFloor } from './slot-floor.js';
import { type SmibBridge, startSmibBridge } from './smib-bridge.js';
import { lockStateFolder } from './state-lock.js';
import { type AttachedProcessor, attachStreamProcessors } from './stream-processors.js';

/** Fixed port of the core's local pub/sub broker, next to the local cloud's MQTT listeners. */
const LOCAL_PUBSUB_PORT = 8885;
/** Fixed port of the floor API, next to the local cloud's HTTP endpoints. */
const FLOOR_API_PORT = 4590;
/** How long a component may take from spawn to RUNNING (tsx compiles it on first start). */
const COMPONENT_START_TIMEOUT_MS = 90_000;
/** Uplink flushes its in-memory batch and the spool's in-flight publishes within its own 20 s bound. */
const COMPONENT_STOP_GRACE_MS = 25_000;

/** A running local floor. */
export interface LocalFloor {
  readonly summary: FloorSummary;
  /** Pipeline counters for the live throughput line. */
  counters(): FlowCounters;
  /** Stops components first (producers before Uplink), then simulators, brokers and the cloud. */
  stop(): Promise<void>;
}

/**
 * Starts the largest slice of the local floor that exists: certificates, the FailureModel
 * artifacts, the local cloud with every stream processor the CDK app declares, the core's local
 * pub/sub broker, the simulated shuffler fleet and the edge components. What does not exist yet
 * is listed in the summary as not running, never stood in for.
 */
export async function startLocalFloor(
  options: StartOptions,
  repositoryRoot: string,
  reporter: Reporter,
): Promise<LocalFloor> {
  const stops: { what: string; stop: () => Promise<unknown> }[] = [];
  let stopping = false;
  const stop = async () => {
    stopping = true;
    for (const { what, stop: step } of stops.reverse()) {
      reporter.step(`stopping ${what}`);
      try {
        await step();
      } catch (error) {
        reporter.warn(`stopping ${what} failed: ${(error as Error).message}`);
      }
    }
    stops.length = 0;
  };
  try {
    const stateDir = options.stateDir;
    await mkdir(stateDir, { recursive: true });
    const lock = await lockStateFolder(stateDir, (message) => reporter.note(message));
    stops.push({ what: 'state folder lock', stop: () => lock.release() });

    const logsDir = join(stateDir, 'logs');
    const floorLog = await openFloorLog(logsDir);
    stops.push({ what: 'floor log', stop: () => floorLog.close() });

    const environment = loadEnvironmentConfig('dev');
    const property = options.property ?? environment.properties[0]!.id;
    const ports = options.ephemeralPorts ? '0' : undefined;
    const config = parseLocalCloudConfig({
      ...process.env,
      CROUPIER_STATE_DIR: stateDir,
      ...(ports
        ? {
            CROUPIER_KINESIS_PORT: ports,
            CROUPIER_DYNAMODB_PORT: ports,
            CROUPIER_SNS_PORT: ports,
            CROUPIER_IOT_PORT: ports,
            CROUPIER_DEVICE_BROKER_PORT: ports,
            CROUPIER_IOT_DATA_PLANE_PORT: ports,
          }
        : {}),
    });

    reporter.step('certificates');
    const pki = await openFloorPki(join(stateDir, 'certs'), config.CROUPIER_HOST);

    reporter.step('failure model');
    const modelDir = join(stateDir, 'components', 'com.croupier.FailureModel', 'artifacts');
    const model = await ensureFailureModel(modelDir, (line) => floorLog.write('failure-model', line));
    reporter.note(model.trained ? `baseline model trained into ${modelDir}` : `baseline model in ${modelDir}`);

    reporter.step('local cloud (kinesalite, dynalite, IoT Core, SNS, Timestream, lake)');
    const cloud: LocalCloud = await startLocalCloud({
      config,
      iotCertificates: pki.server,
      // The core's side of its client-device broker: the MQTT bridge connects with the core's identity.
      deviceBrokerGatewayPrincipals: [options.core],
      log: (message, fields) => {
        floorLog.write('local-cloud', message, fields);
        if (/fail|error/i.test(message)) reporter.warn(`local cloud: ${message} (see ${floorLog.path})`);
      },
    });
    stops.push({ what: 'local cloud (delivering buffered lake data)', stop: () => cloud.stop() });
    const iot = cloud.iot;
    if (!cloud.endpoints.iot || !iot) throw new Error('the local IoT Core did not start');

    reporter.step('stream processors');
    const processors: AttachedProcessor[] = await attachStreamProcessors(cloud, environment, config.AWS_REGION);
    for (const p of processors)
      reporter.note('mapping' in p ? `${p.id} ← ${p.stream}` : `${p.id}: not attached (${p.skipped})`);

    reporter.step('floor API');
    const dynamo = createDynamoDbDocumentClient({
      endpoint: cloud.endpoints.dynamodb,
      region: config.AWS_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    stops.push({ what: 'floor API client', stop: async () => dynamo.destroy() });
    const tokenPath = join(stateDir, 'api', 'operator.token');
    const api = await startFloorApi({
      dynamo,
      host: config.CROUPIER_HOST,
      port: options.ephemeralPorts ? 0 : FLOOR_API_PORT,
      tokenPath,
      onError: (error) => reporter.warn(`floor API: ${String(error)}`),
    });
    stops.push({ what: 'floor API', stop: () => api.close() });

    reporter.step('core local pub/sub broker');
    const pubsub: LocalPubSubBroker = await startLocalPubSubBroker({
      host: config.CROUPIER_HOST,
      port: options.ephemeralPorts ? 0 : LOCAL_PUBSUB_PORT,
      tls: pki.server,
      sessionDir: localPubSubSessionDir(stateDir),
      sessionKeyPath: localPubSubSessionKeyPath(stateDir),
    });
    stops.push({ what: 'local pub/sub broker', stop: () => pubsub.close() });

    reporter.step('shuffler fleet simulator (Modbus TCP)');
    const scenario = await loadScenario(options.scenario, {
      ...(options.shufflers !== undefined ? { shufflers: options.shufflers } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.timeScale !== undefined ? { timeScale: options.timeScale } : {}),
      ...(options.ephemeralPorts ? { port: 0 } : {}),
    });
    const shufflers: RunningShufflerFloor = await startSimulatedShufflers(
      scenario,
      (line) => reporter.note(`ground truth: ${line}`),
      join(stateDir, 'simulators', 'shuffler-live-ground-truth.jsonl'),
    );
    stops.push({ what: 'shuffler fleet simulator', stop: () => shufflers.floor.stop() });
    reporter.note(
      `${scenario.name}: ${shufflers.units.length} shufflers, seed ${scenario.seed}, ×${scenario.live.timeScale}`,
    );

    const iotUrl = new URL(cloud.endpoints.iot.replace(/^mqtts:/, 'http:'));
    const deviceBrokerUrl = cloud.endpoints.deviceBroker
      ? new URL(cloud.endpoints.deviceBroker.replace(/^mqtts:/, 'http:'))
      : undefined;
    if (!deviceBrokerUrl) throw new Error('the local device broker did not start');
    const slotScenario =
      options.machines === 0
        ? undefined
        : await loadSlotFloorScenario(options.slotScenario, {
            ...(options.machines !== undefined ? { machines: options.machines } : {}),
            ...(options.seed !== undefined ? { seed: options.seed } : {}),
            ...(options.timeScale !== undefined ? { timeScale: options.timeScale } : {}),
            broker: { host: deviceBrokerUrl.hostname, port: Number(deviceBrokerUrl.port), caPath: pki.caPath },
            certDir: join(pki.dir, 'smib'),
            caDir: pki.dir,
            outDir: join(stateDir, 'simulators'),
            playerTokenKeyPath: await playerTokenKeyFile(stateDir),
          });
    const slotModel = slotScenario ? await prepareSlotFloor(slotScenario) : undefined;
    const launches = await floorComponents(
      {
        repositoryRoot,
        core: options.core,
        property,
        localBroker: { host: pubsub.host, port: pubsub.port },
        iotCore: { host: iotUrl.hostname, port: Number(iotUrl.port) },
        shufflers: { host: shufflers.host, port: shufflers.port, units: shufflers.units },
        // The version the last local deployment installed survives a restart.
        failureModelDir: await currentFailureModelDir(stateDir, modelDir),
        predictorConfiguration: timeScaledPredictorConfiguration(scenario.live.timeScale),
        ...(slotModel
          ? {
              slots: {
                machines: slotModel.machines,
                playerTokenKeyHex: Buffer.from(slotModel.playerTokenKey).toString('hex'),
              },
            }
          : {}),
      },
      pki,
    );
    const components: RunningComponent[] = [];
    for (const launch of launches) {
      reporter.step(`component ${launch.name}`);
      const running = await startComponent(
        launch,
        { componentsDir: join(stateDir, 'components'), logsDir },
        options.core,
      );
      stops.push({ what: launch.name, stop: () => running.stop(COMPONENT_STOP_GRACE_MS) });
      await withTimeout(running.running, COMPONENT_START_TIMEOUT_MS, `${launch.name} did not report RUNNING`);
      components.push(running);
      // The nucleus would report the component BROKEN; here the operator is told where to look.
      running.exited.then((code) => {
        if (!stopping) reporter.warn(`${launch.name} exited unexpectedly with code ${code}; see ${running.logPath}`);
      });
      reporter.note(`running, pid ${running.pid}, log ${running.logPath}`);
    }

    const predictor = components.find((c) => c.name === 'com.croupier.FailurePredictor');
    if (predictor) {
      reporter.step('local deployments (new FailureModel versions, switched live)');
      const deployments = await startLocalDeployments({
        stateDir,
        predictor,
        log: (message, fields) => floorLog.write('deployments', message, fields),
      });
      stops.push({ what: 'local deployments', stop: () => deployments.close() });
      reporter.note(`inbox ${join(stateDir, 'deployments')}`);
    }

    let bridge: SmibBridge | undefined;
    let slots: RunningSlotFloor | undefined;
    if (slotScenario && slotModel) {
      reporter.step('MQTT bridge (device broker smib/+/events ⇄ local pub/sub)');
      bridge = await startSmibBridge({
        deviceBroker: {
          host: deviceBrokerUrl.hostname,
          port: Number(deviceBrokerUrl.port),
          identity: await pki.client(options.core),
        },
        localPubSub: { host: pubsub.host, port: pubsub.port, identity: await pki.client(`${options.core}-MqttBridge`) },
        onError: (message) => floorLog.write('mqtt-bridge', message),
      });
      const runningBridge = bridge;
      stops.push({ what: 'MQTT bridge', stop: () => runningBridge.close() });

      reporter.step('slot floor simulator (SMIBs over MQTT/mTLS)');
      slots = startSlotFloor(slotScenario, slotModel);
      const runningSlots = slots;
      stops.push({
        what: 'slot floor simulator (writing ground truth)',
        stop: () => runningSlots.stop(),
      });
      slots.done.then(
        (result) => {
          if (!stopping)
            reporter.note(`slot floor ended: ${result.stats.acknowledged} events acknowledged by the device broker`);
        },
        (error: unknown) => reporter.warn(`slot floor simulator failed: ${(error as Error).message}`),
      );
      reporter.note(
        `${slots.machines.length} machines, seed ${slotScenario.seed}, ×${slotScenario.live?.timeScale ?? 1}`,
      );
    }

    const summary: FloorSummary = {
      stateDir,
      property,
      core: options.core,
      cloud: cloud.endpoints,
      floorApi: { url: api.url, tokenPath },
      localPubSub: pubsub.url,
      shufflers: { endpoint: `modbus+tcp://${shufflers.host}:${shufflers.port}`, count: shufflers.units.length },
      slots: { machines: slots?.machines.length ?? 0 },
      components: components.map((c) => ({ name: c.name, pid: c.pid, log: c.logPath })),
      processors: processors.map((p) => ({
        id: p.id,
        stream: p.stream,
        ...('skipped' in p ? { skipped: p.skipped } : {}),
      })),
    };
    await writeFile(join(stateDir, 'floor.json'), `${JSON.stringify(summary, null, 2)}\n`);

    const processed = (id: string) => {
      const attached = processors.find((p) => p.id === id);
      if (!attached || !('mapping' in attached)) return 0;
      return [...attached.mapping.stats().values()].reduce((sum, s) => sum + s.recordsProcessed, 0);
    };
    const counters = (): FlowCounters => ({
      'SMIB events bridged': bridge?.relayed.get('smib/+/events') ?? 0,
      'slot events': pubsub.published.get(LOCAL_TOPICS.slotEvents) ?? 0,
      'displays bridged': bridge?.relayed.get('smib/+/display') ?? 0,
      telemetry: pubsub.published.get(LOCAL_TOPICS.shufflerTelemetry) ?? 0,
      predictions: pubsub.published.get(LOCAL_TOPICS.predictions) ?? 0,
      'edge alerts': pubsub.published.get(LOCAL_TOPICS.alerts) ?? 0,
      'IoT→Kinesis': iot.counters.delivered,
      'shuffler processor': processed('ShufflerProcessor'),
      'slot processor': processed('SlotProcessor'),
    });
    api.showFloor({ machines: slots?.machines ?? [], pipeline: floorPipelineSource(cloud, processors, counters) });
    reporter.note(`dashboard ${api.dashboardLink()} (one-time sign-in link)`);
    return {
      summary,
      counters,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The floor's player-token key file, generated (0600) on first start; never in a scenario. */
async function playerTokenKeyFile(stateDir: string): Promise<string> {
  const path = join(stateDir, 'secrets', 'player-token.key');
  await ensurePlayerTokenKey(path);
  return path;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
