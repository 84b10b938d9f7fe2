import { z } from 'zod';
import { eventBase, Identifier } from './common.js';

/**
 * A component's health on a core, sent on the `health` stream. The cloud alarms on spool age, so a
 * core whose link is down shows up before its spool overflows.
 */
export const CoreHealth = z
  .object({
    ...eventBase,
    type: z.literal('core_health'),
    core: Identifier.describe('Core thing name'),
    component: z.string().regex(/^com\.croupier\.[A-Za-z]+$/),
    componentVersion: z.string().max(32),
    state: z.enum(['starting', 'running', 'degraded', 'stopping', 'errored']),
    metrics: z
      .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.]{0,63}$/), z.number())
      .describe('Named gauges and counters, e.g. spool.depth, spool.oldestAgeMs, uplink.sent, uplink.dropped'),
  })
  .meta({ id: 'CoreHealth', description: 'Health and metrics of one component on one core.' });
export type CoreHealth = z.infer<typeof CoreHealth>;
