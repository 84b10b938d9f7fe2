import { createHash } from 'node:crypto';
import { z } from 'zod';

/** How devices and time are divided between the channels. */
export const SplitOptions = z.object({
  /** Share of devices held out for the test channel. */
  testDeviceShare: z.number().gt(0).lt(1).default(0.25),
  /** Share of devices held out for the validation channel. */
  validationDeviceShare: z.number().gt(0).lt(1).default(0.2),
  /** Share of the data period, at its end, that is the test period. */
  testPeriodShare: z.number().gt(0).lt(1).default(0.3),
  /** Salt of the device shuffle: another salt, another (equally fair) assignment. */
  salt: z.string().default('croupier-failure-model'),
});
export type SplitOptions = z.infer<typeof SplitOptions>;

/** Who and when each channel covers. Times are ms epoch, inclusive–exclusive. */
export interface DatasetSplit {
  readonly train: { readonly deviceIds: readonly string[]; readonly fromMs: number; readonly toMs: number };
  readonly validation: { readonly deviceIds: readonly string[]; readonly fromMs: number; readonly toMs: number };
  readonly test: { readonly deviceIds: readonly string[]; readonly fromMs: number; readonly toMs: number };
  /** Time between the end of the training period and the start of the test period. */
  readonly gapMs: number;
}

const rank = (salt: string, deviceId: string) => createHash('sha256').update(`${salt}\0${deviceId}`).digest('hex');

/**
 * Splits by device AND by time, so nothing the model is trained or tuned on can leak into the test:
 * test devices are never trained on, the test period starts `gapMs` after the training period ends, and
 * `gapMs` is at least the label horizon plus the feature window (a training label looks H ahead, a test
 * window looks one window back; neither reaches the other's period). Validation devices share the
 * training period (they tune the operating point) but are never trained on. Devices are assigned by a
 * salted hash of their id: deterministic, independent of id order or fleet size.
 */
export function splitDataset(
  deviceIds: readonly string[],
  period: { readonly startMs: number; readonly endMs: number },
  gapMs: number,
  options: SplitOptions,
): DatasetSplit {
  const ordered = [...new Set(deviceIds)].sort((a, b) => {
    const ra = rank(options.salt, a);
    const rb = rank(options.salt, b);
    return ra < rb ? -1 : ra > rb ? 1 : 0;
  });
  const n = ordered.length;
  const testCount = Math.max(1, Math.round(n * options.testDeviceShare));
  const validationCount = Math.max(1, Math.round(n * options.validationDeviceShare));
  if (n < testCount + validationCount + 1) {
    throw new Error(`${n} devices cannot be split into train, validation and test devices`);
  }
  const span = period.endMs - period.startMs;
  const testFrom = period.endMs - span * options.testPeriodShare;
  const trainTo = testFrom - gapMs;
  if (trainTo <= period.startMs) {
    throw new Error(
      `a data period of ${(span / 3_600_000).toFixed(0)} h leaves no training period before a ${(gapMs / 3_600_000).toFixed(0)} h gap and the test period`,
    );
  }
  const sorted = (ids: string[]) => ids.sort();
  return {
    test: { deviceIds: sorted(ordered.slice(0, testCount)), fromMs: testFrom, toMs: period.endMs + 1 },
    validation: {
      deviceIds: sorted(ordered.slice(testCount, testCount + validationCount)),
      fromMs: period.startMs,
      toMs: trainTo,
    },
    train: { deviceIds: sorted(ordered.slice(testCount + validationCount)), fromMs: period.startMs, toMs: trainTo },
    gapMs,
  };
}
