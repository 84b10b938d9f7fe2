/**
 * Uplink on a test floor, as its tests and benchmark drive it: slot and shuffler traffic published on
 * the local broker the way SlotGateway and ShufflerMonitor publish it, a watch on what reaches the
 * upstream broker, and Uplink started in this process with a transport of its own.
 */
import { decodeEnvelope } from '@croupier/contracts';
import type { Logger } from '@croupier/edge-kit';
import type { TestFloor, TlsBroker } from '@croupier/edge-kit/testing';
import type { AedesPublishPacket } from 'aedes';
import { Uplink, type UplinkConfiguration } from '../../src/index.js';

const COMPONENT_NAME = 'com.croupier.Uplink';

/** Polls `check` until it holds; fails naming `what` after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Publishes `body` as JSON at QoS 1 on the floor's local broker; resolves once the broker took it. */
export function publishLocal(floor: TestFloor, topic: string, body: unknown): Promise<void> {
  return new Promise((resolve, reject) =>
    floor.local.aedes.publish(
      { cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(body)), qos: 1, dup: false, retain: false },
      (error) => (error ? reject(error) : resolve()),
    ),
  );
}

/** Hands every message on `topic` of `broker` to `onPacket`; resolves once the subscription stands. */
export function watch(broker: TlsBroker, topic: string, onPacket: (packet: AedesPublishPacket) => void): Promise<void> {
  return new Promise((resolve) =>
    broker.aedes.subscribe(
      topic,
      (packet, done) => {
        onPacket(packet);
        done();
      },
      resolve,
    ),
  );
}

/** The event ids of an envelope Uplink published, in order; none when the payload is not an envelope. */
export function envelopeEventIds(packet: AedesPublishPacket): string[] {
  const decoded = decodeEnvelope(packet.payload as Buffer);
  return decoded.ok ? decoded.value.events.map((e) => e.eventId) : [];
}

/** What {@link startUplink} needs besides the floor. */
export interface InProcessUplinkOptions {
  readonly thingName: string;
  readonly configuration: UplinkConfiguration;
  readonly workDirectory: string;
  readonly logger: Logger;
  readonly version?: string;
  readonly now?: () => number;
}

/** Connects a transport of its own on `floor` and starts Uplink on it in this process. */
export async function startUplink(floor: TestFloor, options: InProcessUplinkOptions): Promise<Uplink> {
  const { thingName, logger } = options;
  const transport = await floor.transport({ componentName: COMPONENT_NAME, thingName, configuration: {}, logger });
  await transport.connect();
  return Uplink.start({
    transport,
    logger,
    thingName,
    version: options.version ?? '1.0.0',
    configuration: options.configuration,
    workDirectory: options.workDirectory,
    now: options.now,
  });
}
