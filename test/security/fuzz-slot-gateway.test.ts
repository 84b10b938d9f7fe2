import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_TOPICS, newEventId, SCHEMA_VERSION, smibEventsTopic } from '@croupier/contracts';
import { createLogger, type Transport } from '@croupier/edge-kit';
import { startTestFloor, type TestFloor } from '@croupier/edge-kit/testing';
import { SlotGateway, SlotGatewayConfiguration } from '@croupier/slot-gateway';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anyJson, mutated, runs, validExamples } from './support/fuzz.js';

/*
 * SlotGateway is where card numbers enter the system: every SMIB message is untrusted input. It is
 * fuzzed through a real TLS broker and the real MQTT transport, with good events interleaved, and
 * checked for the three promises: it never stops, the good events beside bad ones all go out, and no
 * card number leaves it (slot topic, logs) or sits unmasked in its dead-letter file.
 */

const CORE = 'core-fuzz';
const MACHINE = 'SM-0001';
const KEY_HEX = randomBytes(32).toString('hex');

const cardNumber = fc.stringMatching(/^[0-9]{13,19}$/);

/** A valid SMIB event with a fresh id: a card in or out with a card number, or a game. */
const goodEvent = (card: string, kind: number) => {
  const base = { eventId: newEventId(), eventTime: Date.now(), schemaVersion: SCHEMA_VERSION, machineId: MACHINE };
  if (kind % 3 === 0) return { ...base, type: 'card_in', cardNumber: card };
  if (kind % 3 === 1) return { ...base, type: 'card_out', cardNumber: card, reason: 'removed' };
  return {
    ...base,
    type: 'game_played',
    gameId: 'buffalo-gold',
    paytableId: 'bg-96',
    theoreticalHold: 0.04,
    denominationCents: 1,
    wagerCents: 100,
    winCents: 0,
  };
};

/** Bad input an SMIB (broken, or hostile) could send, many of them carrying a card number in clear. */
const badPayload = (card: string) =>
  fc.oneof(
    fc.uint8Array({ maxLength: 2_000 }).map((b) => Buffer.from(b)),
    anyJson.map((v) => Buffer.from(JSON.stringify(v) ?? 'undefined')),
    mutated(validExamples('SmibEvent')).map((v) => Buffer.from(JSON.stringify(v))),
    fc
      .constantFrom(
        `{"type":"card_in","cardNumber":"${card}", broken`,
        `{"type":"card_in","cardNumber" : "${card}","eventId":"not-a-uuid"}`,
        JSON.stringify({ ...goodEvent(card, 0), eventTime: 'yesterday' }),
        JSON.stringify({ ...goodEvent(card, 1), machineId: 'SM-9999' }),
        JSON.stringify({ ...goodEvent(card, 0), cardNumber: `${card}\u0000` }),
      )
      .map((s) => Buffer.from(s)),
  );

describe('GIVEN SlotGateway on a real broker, fed by a hostile or broken SMIB', () => {
  let dir: string;
  let floor: TestFloor;
  let transport: Transport;
  let gateway: SlotGateway;
  const forwarded: Buffer[] = [];
  const logLines: string[] = [];

  const publish = (topic: string, payload: Buffer) =>
    new Promise<void>((resolve, reject) =>
      floor.local.aedes.publish({ cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false }, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
  const settle = async (received: number) => {
    const deadline = Date.now() + 20_000;
    while (gateway.metrics()['smib.received']! < received) {
      if (Date.now() > deadline)
        throw new Error(`SlotGateway received ${gateway.metrics()['smib.received']} of ${received}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await gateway.deadLettersFlushed();
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'croupier-fuzz-gateway-'));
    floor = await startTestFloor(dir);
    await new Promise<void>((resolve) =>
      floor.local.aedes.subscribe(
        LOCAL_TOPICS.slotEvents,
        (packet, done) => {
          forwarded.push(Buffer.from(packet.payload));
          done();
        },
        resolve,
      ),
    );
    const logger = createLogger({ component: 'com.croupier.SlotGateway', sink: (line) => logLines.push(line) });
    const configuration = SlotGatewayConfiguration.parse({
      playerTokenKeyHex: KEY_HEX,
      machines: [],
      // No Uplink acknowledges here: a resend of an earlier run's event must not land in a later run.
      outbox: { confirmBy: 'broker' },
      healthIntervalMs: 3_600_000,
    });
    transport = await floor.transport({
      componentName: 'com.croupier.SlotGateway',
      thingName: CORE,
      configuration,
      logger,
    });
    await transport.connect();
    gateway = await SlotGateway.start({
      transport,
      logger,
      thingName: CORE,
      version: '1.0.0',
      configuration,
      workDirectory: dir,
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await floor?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('WHEN good events are interleaved with random bytes, random JSON, mutated events and card-bearing junk THEN every good event goes out once, every bad one is dead-lettered, and no card number leaves', async () => {
    let sent = 0;
    const cards = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        cardNumber.chain((card) =>
          fc.tuple(
            fc.constant(card),
            fc.array(
              fc.oneof(
                fc.nat().map((kind) => ({ kind })),
                badPayload(card).map((bad) => ({ bad })),
              ),
              { minLength: 1, maxLength: 25 },
            ),
          ),
        ),
        async ([card, plan]) => {
          cards.add(card);
          const before = { ...gateway.metrics() };
          const forwardedBefore = forwarded.length;
          const goodIds: string[] = [];
          for (const step of plan) {
            if ('kind' in step) {
              const event = goodEvent(card, step.kind);
              goodIds.push(event.eventId);
              await publish(smibEventsTopic(MACHINE), Buffer.from(JSON.stringify(event)));
            } else {
              await publish(smibEventsTopic(MACHINE), step.bad);
            }
            sent += 1;
          }
          await settle(sent);
          const after = gateway.metrics();
          const delta = (name: string) => after[name]! - before[name]!;
          expect(delta('smib.received')).toBe(plan.length);
          expect(delta('smib.deadLettered') + delta('smib.duplicates')).toBe(plan.length - goodIds.length);
          const deadline = Date.now() + 10_000;
          while (forwarded.length - forwardedBefore < goodIds.length && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
          const outIds = forwarded
            .slice(forwardedBefore)
            .map((b) => (JSON.parse(b.toString()) as { eventId: string }).eventId);
          expect(outIds).toEqual(goodIds);
        },
      ),
      // Each run is real broker round trips: report the first counterexample as found, unshrunk.
      { numRuns: runs(25), endOnFailure: true },
    );
    for (const card of cards) {
      for (const bytes of forwarded) expect(bytes.includes(card)).toBe(false);
      for (const line of logLines) expect(line.includes(card), line).toBe(false);
      expect(logLines.some((line) => line.includes(KEY_HEX))).toBe(false);
    }
    const letters = (await readFile(join(dir, 'dead-letter.jsonl'), 'utf8')).trim().split('\n');
    for (const letter of letters) {
      const { payload } = JSON.parse(letter) as { payload: string };
      for (const card of cards) expect(payload.includes(`"${card}`), payload).toBe(false);
    }
  });

  // Fixed F3 (docs/security.md): the CRT hands an empty payload as a detached ArrayBuffer; edge-kit's
  // transport threw converting it, so SlotGateway never saw the message.
  it('WHEN an SMIB sends an empty message THEN SlotGateway counts it and dead-letters it', async () => {
    const received = gateway.metrics()['smib.received']!;
    const deadLettered = gateway.metrics()['smib.deadLettered']!;
    await publish(smibEventsTopic(MACHINE), Buffer.alloc(0));
    await settle(received + 1);
    expect(gateway.metrics()['smib.deadLettered']! - deadLettered).toBe(1);
    const letters = (await readFile(join(dir, 'dead-letter.jsonl'), 'utf8')).trim().split('\n');
    expect(JSON.parse(letters.at(-1)!)).toMatchObject({ topic: smibEventsTopic(MACHINE), payload: '' });
  });

  // Fixed F2 (docs/security.md): the dead-letter mask works on the parsed message, so neither the
  // value's type nor the key's spelling keeps a card number in clear in the core's dead-letter file.
  it('WHEN a card event carries its card number as a JSON number or under an escaped key THEN the dead letter still masks it', async () => {
    const card = '6011000990139424';
    const received = gateway.metrics()['smib.received']!;
    await publish(
      smibEventsTopic(MACHINE),
      Buffer.from(`{"type":"card_in","machineId":"${MACHINE}","cardNumber":${card}}`),
    );
    await publish(smibEventsTopic(MACHINE), Buffer.from(`{"type":"card_in","card\\u004eumber":"${card}","eventId":1}`));
    await settle(received + 2);
    const letters = await readFile(join(dir, 'dead-letter.jsonl'), 'utf8');
    expect(letters.includes(card)).toBe(false);
  });
});
