import { z } from 'zod';

/**
 * Configuration of a segment log in a component's work folder (Uplink's spool and intake journal, a
 * producer's outbox), shared so that every recipe states the same bounds and defaults.
 */
export const SegmentLogSettings = {
  /** Size at which the log starts a new segment file. */
  segmentBytes: z
    .int()
    .min(4 * 1024)
    .default(1024 * 1024),
  /** When writes are fdatasynced ({@link FsyncPolicy}). */
  fsync: z
    .enum(['always', 'interval', 'never'])
    .default('always')
    .describe(
      'always: each write is fdatasynced, shared by the writes made meanwhile; a process kill loses nothing written under any policy, interval and never trade power-loss safety for disk time',
    ),
};
