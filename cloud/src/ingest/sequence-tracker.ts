/** What the cloud knows about one core's envelope sequence on one stream. */
export interface SequenceState {
  readonly lastSeq: number;
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
  /** Times the core restarted its sequence at 0 (a reinstalled core or a wiped spool). */
  readonly resets: number;
}

/**
 * Follows a core's envelope sequence numbers (`+1` per envelope) through one batch, in arrival
 * order. A jump forward records the skipped numbers as a gap; a number at or below the highest seen
 * is counted as behind; a return to 0 from above is a reset, after which counting starts afresh.
 */
export function observeSequences(prior: SequenceState | undefined, seqs: readonly number[]): SequenceObservation {
  let last = prior?.lastSeq;
  const gaps: SequenceGap[] = [];
  let behind = 0;
  let resets = 0;
  for (const seq of seqs) {
    if (last === undefined) {
      last = seq;
    } else if (seq === 0 && last > 0) {
      resets += 1;
      last = 0;
    } else if (seq <= last) {
      behind += 1;
    } else {
      if (seq > last + 1) gaps.push({ from: last + 1, to: seq - 1 });
      last = seq;
    }
  }
  return { next: { lastSeq: last ?? 0 }, gaps, behind, resets };
}
