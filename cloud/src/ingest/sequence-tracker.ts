/** What the cloud knows about one core's envelope sequence on one stream. */
export interface SequenceState {
  readonly lastSeq: number;
  /** `createdAt` of the envelope that set `lastSeq`. */
  readonly lastCreatedAt: number;
}

/** One envelope's place in its core's sequence. */
export interface SequencePoint {
  readonly seq: number;
  readonly createdAt: number;
}

/** A run of envelope sequence numbers that never arrived, inclusive. */
export interface SequenceGap {
  readonly from: number;
  readonly to: number;
}

/** The outcome of one batch's envelopes for one core and stream. */
export interface SequenceObservation {
  readonly next: SequenceState;
  readonly gaps: readonly SequenceGap[];
  /** Envelopes at or below the highest sequence already seen: re-deliveries, or late fills of a gap. */
  readonly behind: number;
  /** Times the core restarted its sequence (a reinstalled core or a wiped spool). */
  readonly resets: number;
}

/**
 * Follows a core's envelope sequence numbers (`+1` per envelope) through one batch, in arrival
 * order. A jump forward records the skipped numbers as a gap. A number at or below the highest seen
 * is a re-delivery or a late fill (`behind`) — unless the envelope was created after the one that
 * set the highest, which means the core started counting again (`reset`).
 */
export function observeSequences(
  prior: SequenceState | undefined,
  points: readonly SequencePoint[],
): SequenceObservation {
  let last = prior;
  const gaps: SequenceGap[] = [];
  let behind = 0;
  let resets = 0;
  for (const point of points) {
    if (last === undefined) {
      last = { lastSeq: point.seq, lastCreatedAt: point.createdAt };
    } else if (point.seq <= last.lastSeq) {
      if (point.createdAt > last.lastCreatedAt) {
        resets += 1;
        last = { lastSeq: point.seq, lastCreatedAt: point.createdAt };
      } else {
        behind += 1;
      }
    } else {
      if (point.seq > last.lastSeq + 1) gaps.push({ from: last.lastSeq + 1, to: point.seq - 1 });
      last = { lastSeq: point.seq, lastCreatedAt: Math.max(point.createdAt, last.lastCreatedAt) };
    }
  }
  return { next: last ?? { lastSeq: 0, lastCreatedAt: 0 }, gaps, behind, resets };
}
