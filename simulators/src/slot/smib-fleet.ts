import { io, mqtt } from 'aws-iot-device-sdk-v2';
import { type DisplayRecord, recordDisplay } from './display-log.js';
import { SmibClient, type SmibCredentials } from './smib-client.js';

export interface SmibFleetOptions {
  readonly machineIds: readonly string[];
  readonly host: string;
  readonly port: number;
  readonly caPem: string;
  readonly credentialsFor: (machineId: string) => Promise<SmibCredentials>;
  /** Maps a wall-clock arrival to simulated time, to stamp display messages. */
  readonly simTimeFor: (wallMs: number) => number;
  /** TLS handshakes in flight at once while connecting; each costs a signature on both ends. */
  readonly connectConcurrency?: number;
  /**
   * Give each SMIB its own native client bootstrap instead of the process-wide one. Only for measuring
   * what the sharing saves (see bench/slot.ts); a real run shares.
   */
  readonly isolatedBootstraps?: boolean;
  /** Called with each display record after it is logged. */
  readonly onDisplayRecord?: (record: DisplayRecord) => void;
}

/**
 * Every SMIB of one process. They share one native MQTT client (one event-loop group, one host
 * resolver): the per-connection cost is then the TLS session and the MQTT state only, not a thread pool
 * per machine. Display messages from all machines land in one log, in arrival order.
 */
export class SmibFleet {
  readonly displays: DisplayRecord[] = [];
  readonly #smibs = new Map<string, SmibClient>();
  readonly #client: mqtt.MqttClient;

  private constructor(client: mqtt.MqttClient) {
    this.#client = client;
  }

  /** Connects every machine; if any fails, the ones already connected are closed and the error is thrown. */
  static async connect(opts: SmibFleetOptions): Promise<SmibFleet> {
    const fleet = new SmibFleet(new mqtt.MqttClient());
    const onDisplay = (machineId: string, payload: ArrayBuffer) => {
      const now = Date.now();
      const record = recordDisplay(machineId, payload, now, opts.simTimeFor(now));
      fleet.displays.push(record);
      opts.onDisplayRecord?.(record);
    };
    const queue = [...opts.machineIds];
    const worker = async () => {
      for (let machineId = queue.shift(); machineId !== undefined; machineId = queue.shift()) {
        const smib = await SmibClient.connect({
          machineId,
          host: opts.host,
          port: opts.port,
          caPem: opts.caPem,
          credentials: await opts.credentialsFor(machineId),
          client: opts.isolatedBootstraps ? new mqtt.MqttClient(new io.ClientBootstrap()) : fleet.#client,
          onDisplay,
        });
        fleet.#smibs.set(machineId, smib);
      }
    };
    const workers = Array.from({ length: Math.max(1, opts.connectConcurrency ?? 8) }, worker);
    const results = await Promise.allSettled(workers);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined) {
      await fleet.close();
      throw failure.reason;
    }
    return fleet;
  }

  /** The SMIB of a machine. */
  get(machineId: string): SmibClient {
    const smib = this.#smibs.get(machineId);
    if (smib === undefined) throw new Error(`no SMIB connected for machine ${machineId}`);
    return smib;
  }

  get size(): number {
    return this.#smibs.size;
  }

  /** Connection drops across the fleet so far. */
  get interruptions(): number {
    let total = 0;
    for (const smib of this.#smibs.values()) total += smib.interruptions;
    return total;
  }

  /**
   * Waits, while the SMIBs keep resending, until the core has acknowledged every event they published
   * or `timeoutMs` has passed; resolves with the events still unacknowledged.
   */
  async settle(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let unacknowledged = 0;
      for (const smib of this.#smibs.values()) unacknowledged += smib.unacknowledged;
      if (unacknowledged === 0 || Date.now() >= deadline) return unacknowledged;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Disconnects every SMIB. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#smibs.values()].map((s) => s.close()));
    this.#smibs.clear();
  }
}
