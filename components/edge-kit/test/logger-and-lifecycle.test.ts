import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createLogger, deepMerge, Lifecycle, REDACTED, redact } from '../src/index.js';

const KEY = `-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----`;

describe('logger redaction', () => {
  it('GIVEN secrets by field name at any depth and PEM keys anywhere WHEN logged THEN none is printed', () => {
    const lines: string[] = [];
    const logger = createLogger({ component: 'test', sink: (l) => lines.push(l) }).child({ password: 'hunter2' });
    logger.info('configuration', {
      configuration: {
        playerTokenKeyHex: 'ab'.repeat(32),
        machines: [{ machineId: 'slot-1' }],
        nested: { apiKey: 'k', cardNumber: '4111111111111111' },
      },
      note: KEY,
      error: new Error(`bad ${KEY}`),
      payload: Buffer.from('secret bytes'),
    });
    const text = lines.join('\n');
    for (const secret of ['hunter2', 'ab'.repeat(32), '4111111111111111', 'MIGHAgEAMBMGByqGSM49', 'secret bytes'])
      expect(text).not.toContain(secret);
    const line = JSON.parse(lines[0]!);
    expect(line.configuration.machines).toEqual([{ machineId: 'slot-1' }]);
    expect(line.configuration.playerTokenKeyHex).toBe(REDACTED);
    expect(line.password).toBe(REDACTED);
    expect(line.payload).toBe('<12 bytes>');
  });

  it('GIVEN levels WHEN below the threshold THEN lines are dropped', () => {
    const lines: string[] = [];
    const logger = createLogger({ component: 'test', level: 'warn', sink: (l) => lines.push(l) });
    logger.info('quiet');
    logger.warn('loud');
    expect(lines.map((l) => JSON.parse(l).message)).toEqual(['loud']);
    expect(redact({ deep: { deeper: { token: 'x' } } })).toEqual({ deep: { deeper: { token: REDACTED } } });
  });
});

describe('Lifecycle', () => {
  const quiet = createLogger({ component: 'test', sink: () => {} });

  it('GIVEN shutdown hooks WHEN SIGTERM arrives THEN they run newest first, the abort signal fires and the process exits 0', async () => {
    const signals = new EventEmitter();
    const exits: number[] = [];
    const order: string[] = [];
    const lifecycle = new Lifecycle({
      logger: quiet,
      shutdownTimeoutMs: 1_000,
      exit: (c) => exits.push(c),
      signals: signals as unknown as NodeJS.Process,
    });
    lifecycle.installSignalHandlers();
    lifecycle.onShutdown(() => {
      order.push('transport');
    });
    lifecycle.onShutdown(async () => {
      await new Promise((r) => setTimeout(r, 20));
      order.push('flush');
    });
    signals.emit('SIGTERM', 'SIGTERM');
    await lifecycle.shutdown('again');
    expect(order).toEqual(['flush', 'transport']);
    expect(lifecycle.signal.aborted).toBe(true);
    expect(exits).toEqual([0]);
  });

  it('GIVEN a hook that hangs WHEN shutting down THEN it exits 1 when the shutdown timeout passes', async () => {
    const exits: number[] = [];
    const lifecycle = new Lifecycle({
      logger: quiet,
      shutdownTimeoutMs: 50,
      exit: (c) => exits.push(c),
      signals: new EventEmitter() as unknown as NodeJS.Process,
    });
    lifecycle.onShutdown(() => new Promise(() => {}));
    const started = Date.now();
    expect(await lifecycle.shutdown('test')).toBe(1);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(exits).toEqual([1]);
  });
});

describe('deepMerge', () => {
  it('GIVEN defaults and a deployment merge WHEN merged THEN objects merge by key and arrays are replaced', () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 'x' }, { a: { c: [3] }, e: true })).toEqual({
      a: { b: 1, c: [3] },
      d: 'x',
      e: true,
    });
  });
});
