import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbDocumentClient, createKinesisClient } from '@croupier/cloud/aws/clients';
import { loadEnvironmentConfig } from '@croupier/cloud/infra/config/load';
import { LOCAL_CREDENTIALS } from '@croupier/cloud/local/local-cloud';
import type { MachineIdentity } from '@croupier/contracts';
import {
  type ComponentLaunch,
  type RunningComponent,
  startComponent,
} from '../../../scripts/start/component-process.js';
import { ensureFailureModel } from '../../../scripts/start/failure-model-artifacts.js';
import { floorComponents } from '../../../scripts/start/floor-components.js';
import { type FloorPki, openFloorPki } from '../../../scripts/start/floor-pki.js';
import {
  type LocalPubSubBroker,
  localPubSubSessionDir,
  localPubSubSessionKeyPath,
  startLocalPubSubBroker,
} from '../../../scripts/start/local-pubsub-broker.js';
import {
  loadScenario,
  type RunningShufflerFloor,
  startSimulatedShufflers,
} from '../../../scripts/start/shuffler-floor.js';
import { CloudChild } from './cloud-child.js';

/** The edge components of a floor core, by their short names. */
export type ComponentName = 'Uplink' | 'SlotGateway' | 'ShufflerMonitor' | 'FailurePredictor';

export interface FaultRigOptions {
  /** A mkdtemp folder the caller removes: state, certificates, component work folders. */
  readonly dir: string;
  readonly repositoryRoot: string;
  readonly core: string;
  /** Slot machines SlotGateway serves (the SMIB publisher plays them). */
  readonly machines: number;
  /** Simulated shufflers polled over Modbus TCP; 0 runs neither ShufflerMonitor nor FailurePredictor. */
  readonly shufflers: number;
  /** Folder of a trained FailureModel (trained there on first use); FailurePredictor runs only with one. */
  readonly failureModelDir?: string;
  /** Where Uplink keeps its spool; its work folder unless given (the disk-full fault puts it on a tiny filesystem). */
  readonly uplinkSpoolDir?: string;
  readonly log?: (line: string) => void;
}

/** How long a component may take from spawn to RUNNING (tsx compiles it on first start). */
const COMPONENT_START_TIMEOUT_MS = 120_000;
const HOST = '127.0.0.1';

/**
 * One floor core and the local cloud, from the same parts the local floor starts (`scripts/start/`),
 * with the handles a fault needs that `startLocalFloor` does not hand out: the local cloud runs in a
 * child process that can be SIGKILLed and started again on its state folder and ports; its IoT Core
 * stand-in and the core's local pub/sub broker can be restarted on their ports with fresh state; each
 * component can be SIGKILLed and started again on its own work folder, as the nucleus restarts a
 * component that died.
 */
export class FaultRig {
  readonly property: string;
  readonly playerTokenKey: Uint8Array;
  readonly machines: readonly MachineIdentity[];
  readonly dynamo: DynamoDBDocumentClient;
  readonly kinesis: KinesisClient;
  #pubsub: LocalPubSubBroker;
  readonly #running = new Map<ComponentName, RunningComponent>();
  readonly #launches: Map<ComponentName, ComponentLaunch>;

  private constructor(
    readonly options: FaultRigOptions,
    readonly pki: FloorPki,
    readonly cloud: CloudChild,
    pubsub: LocalPubSubBroker,
    readonly shufflerFloor: RunningShufflerFloor | undefined,
    launches: Map<ComponentName, ComponentLaunch>,
    property: string,
    playerTokenKey: Uint8Array,
    machines: readonly MachineIdentity[],
  ) {
    this.#pubsub = pubsub;
    this.#launches = launches;
    this.property = property;
    this.playerTokenKey = playerTokenKey;
    this.machines = machines;
    const aws = { region: cloud.endpoints.env.AWS_REGION ?? 'us-east-1', credentials: LOCAL_CREDENTIALS };
    this.dynamo = createDynamoDbDocumentClient({ endpoint: cloud.endpoints.dynamodb, ...aws });
    this.kinesis = createKinesisClient({ endpoint: cloud.endpoints.kinesis, ...aws });
  }

  static async start(options: FaultRigOptions): Promise<FaultRig> {
    const log = options.log ?? (() => {});
    const stateDir = join(options.dir, 'state');
    await mkdir(stateDir, { recursive: true });
    const property = loadEnvironmentConfig('dev').properties[0]!.id;
    const pki = await openFloorPki(join(stateDir, 'certs'), HOST);
    const cloud = await CloudChild.start(stateDir, options.core);
    const stops: (() => Promise<unknown>)[] = [() => cloud.stop()];
    try {
      const pubsub = await startLocalPubSubBroker({
        host: HOST,
        port: 0,
        tls: pki.server,
        sessionDir: localPubSubSessionDir(stateDir),
        sessionKeyPath: localPubSubSessionKeyPath(stateDir),
      });
      stops.push(() => pubsub.close());
      const shufflerFloor =
        options.shufflers > 0
          ? await startSimulatedShufflers(
              await loadScenario(join(options.repositoryRoot, 'simulators/scenarios/shuffler-floor-demo.json'), {
                shufflers: options.shufflers,
                port: 0,
              }),
              log,
            )
          : undefined;
      if (shufflerFloor) stops.push(() => shufflerFloor.floor.stop());
      if (options.failureModelDir) await ensureFailureModel(options.failureModelDir, log);
      const playerTokenKey = randomBytes(32);
      const machines = floorMachines(options.machines);
      const iotUrl = new URL(cloud.endpoints.iot!.replace(/^mqtts:/, 'http:'));
      const launches = await floorComponents(
        {
          repositoryRoot: options.repositoryRoot,
          core: options.core,
          property,
          localBroker: { host: pubsub.host, port: pubsub.port },
          iotCore: { host: iotUrl.hostname, port: Number(iotUrl.port) },
          shufflers: {
            host: shufflerFloor?.host ?? HOST,
            port: shufflerFloor?.port ?? 1,
            units: shufflerFloor?.units ?? [],
          },
          failureModelDir: options.failureModelDir ?? '',
          slots: { machines, playerTokenKeyHex: Buffer.from(playerTokenKey).toString('hex') },
        },
        pki,
      );
      const byName = new Map<ComponentName, ComponentLaunch>();
      for (const launch of launches) {
        const name = launch.name.replace(/^com\.croupier\./, '') as ComponentName;
        if ((name === 'ShufflerMonitor' || name === 'FailurePredictor') && !shufflerFloor) continue;
        if (name === 'FailurePredictor' && !options.failureModelDir) continue;
        byName.set(
          name,
          name === 'Uplink' && options.uplinkSpoolDir
            ? {
                ...launch,
                configuration: {
                  ...(launch.configuration as object),
                  // The smallest spool Uplink accepts, so it fits the fault's small filesystem.
                  spool: { directory: options.uplinkSpoolDir, maxBytes: 1024 * 1024, segmentBytes: 64 * 1024 },
                },
              }
            : launch,
        );
      }
      const rig = new FaultRig(options, pki, cloud, pubsub, shufflerFloor, byName, property, playerTokenKey, machines);
      // Consumers before producers, as the local floor starts them.
      for (const name of ['Uplink', 'FailurePredictor', 'SlotGateway', 'ShufflerMonitor'] as const) {
        if (byName.has(name)) await rig.startComponent(name);
      }
      return rig;
    } catch (error) {
      for (const stop of stops.reverse()) await stop().catch(() => {});
      throw error;
    }
  }

  /** The core's local pub/sub broker as it runs now (a restart replaces it). */
  get pubsub(): LocalPubSubBroker {
    return this.#pubsub;
  }

  has(name: ComponentName): boolean {
    return this.#launches.has(name);
  }

  /** Starts (or starts again) a component on its own work folder and waits until it reports RUNNING. */
  async startComponent(name: ComponentName): Promise<void> {
    const launch = this.#launches.get(name);
    if (!launch) throw new Error(`${name} does not run on this rig`);
    const running = await startComponent(
      launch,
      { componentsDir: join(this.options.dir, 'components'), logsDir: join(this.options.dir, 'logs') },
      this.options.core,
    );
    this.#running.set(name, running);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        running.running,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`${name} did not report RUNNING within ${COMPONENT_START_TIMEOUT_MS / 1000} s`)),
            COMPONENT_START_TIMEOUT_MS,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Stops every component gracefully and starts it again, consumers first: what a nucleus restart
   * does to its components. Faults that leave components cut off call it to hand the next fault a
   * working floor.
   */
  async restartComponents(): Promise<void> {
    for (const name of ['ShufflerMonitor', 'SlotGateway', 'FailurePredictor', 'Uplink'] as const) {
      await this.#running.get(name)?.stop(25_000);
      this.#running.delete(name);
    }
    for (const name of ['Uplink', 'FailurePredictor', 'SlotGateway', 'ShufflerMonitor'] as const) {
      if (this.#launches.has(name)) await this.startComponent(name);
    }
  }

  /** SIGKILL, as a crash or the OOM killer would: no shutdown hook runs. Resolves once it is gone. */
  async kill9(name: ComponentName): Promise<void> {
    const running = this.#running.get(name);
    if (!running?.pid) throw new Error(`${name} is not running`);
    process.kill(running.pid, 'SIGKILL');
    await running.exited;
    this.#running.delete(name);
  }

  /** Takes the IoT Core stand-in down: listeners closed, clients cut, its sessions gone. */
  stopIotCore(): Promise<void> {
    return this.cloud.command('iot-stop');
  }

  /** A fresh IoT Core stand-in on the same ports, remembering nothing: as a restarted broker. */
  startIotCore(): Promise<void> {
    return this.cloud.command('iot-start');
  }

  /** Restarts the core's local pub/sub broker on its port and session folder, as the floor does. */
  async restartLocalBroker(downMs: number): Promise<void> {
    const { host, port } = this.#pubsub;
    await this.#pubsub.close();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    this.#pubsub = await startLocalPubSubBroker({
      host,
      port,
      tls: this.pki.server,
      sessionDir: localPubSubSessionDir(join(this.options.dir, 'state')),
      sessionKeyPath: localPubSubSessionKeyPath(join(this.options.dir, 'state')),
    });
  }

  /** Stops everything: components (producers first), simulators, brokers, the cloud. */
  async stop(): Promise<void> {
    for (const name of ['ShufflerMonitor', 'SlotGateway', 'FailurePredictor', 'Uplink'] as const) {
      await this.#running
        .get(name)
        ?.stop(25_000)
        .catch(() => {});
    }
    await this.shufflerFloor?.floor.stop().catch(() => {});
    await this.#pubsub.close().catch(() => {});
    this.dynamo.destroy();
    this.kinesis.destroy();
    await this.cloud.stop();
  }
}

/** `count` machines on one bank: a penny video game at an 8 % hold. */
function floorMachines(count: number): MachineIdentity[] {
  return Array.from({ length: count }, (_, i) => ({
    machineId: `SM-F${String(i + 1).padStart(3, '0')}`,
    location: { bank: 'bank-f1', zone: 'main-floor', x: 2 + i, y: 4 },
    denominationCents: 1,
    gameId: 'fault-video',
    paytable: { paytableId: 'pt-0800', theoreticalHold: 0.08 },
  }));
}
