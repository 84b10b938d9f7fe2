/** One fault's outcome: what the floor emitted against what the cloud stored, and how long recovery took. */
export interface FaultRow {
  readonly fault: string;
  /** Whether the design promises to survive it with nothing lost and nothing counted twice. */
  readonly promised: boolean;
  /** Slot events the SMIBs emitted (ground truth). */
  readonly emitted: number;
  /** Of those, found in the lake (raw zone, each eventId once). */
  readonly lakeStored: number;
  /** Extra raw-zone copies: the raw zone is at least once, refinement drops them by eventId. */
  readonly lakeRepeats: number;
  /** Games emitted, and games applied to player ratings in DynamoDB. */
  readonly games: number;
  readonly dbGames: number;
  /** Alerts raised on the core, and stored in the alerts table. */
  readonly alertsEmitted: number;
  readonly alertsStored: number;
  /** Batches the event-source mapping gave up on and wrote to the on-failure destination. */
  readonly discardedBatches: number;
  /** From the end of the fault until everything emitted was stored; undefined when it never was. */
  readonly recoverMs: number | undefined;
  readonly note: string;
}

/** Emitted events missing from the lake. */
export function lostInLake(row: FaultRow): number {
  return Math.max(0, row.emitted - row.lakeStored);
}

/** Emitted games missing from the player ratings. */
export function lostInRatings(row: FaultRow): number {
  return Math.max(0, row.games - row.dbGames);
}

/** Games counted more than once in the ratings. */
export function duplicated(row: FaultRow): number {
  return Math.max(0, row.dbGames - row.games);
}

export function alertsLost(row: FaultRow): number {
  return Math.max(0, row.alertsEmitted - row.alertsStored);
}

/** Whether the row shows the fault survived: nothing lost, nothing counted twice, no alert lost. */
export function survived(row: FaultRow): boolean {
  return lostInLake(row) === 0 && lostInRatings(row) === 0 && duplicated(row) === 0 && alertsLost(row) === 0;
}

const seconds = (ms: number | undefined) => (ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`);

/** The fault table as Markdown, one row per fault, in run order. */
export function renderFaultTable(rows: readonly FaultRow[]): string {
  const header = [
    'fault',
    'promised',
    'emitted',
    'stored (lake, once)',
    'raw repeats',
    'games emitted / rated',
    'lost in lake',
    'games lost in ratings',
    'games rated twice',
    'alerts emitted / stored',
    'alerts lost',
    'batches to on-failure',
    'time to recover',
    'result',
    'note',
  ];
  const lines = rows.map((r) =>
    [
      r.fault,
      r.promised ? 'yes' : 'no',
      String(r.emitted),
      String(r.lakeStored),
      String(r.lakeRepeats),
      `${r.games} / ${r.dbGames}`,
      String(lostInLake(r)),
      String(lostInRatings(r)),
      String(duplicated(r)),
      `${r.alertsEmitted} / ${r.alertsStored}`,
      String(alertsLost(r)),
      String(r.discardedBatches),
      seconds(r.recoverMs),
      survived(r) ? 'survived' : r.promised ? '**FAILED**' : 'not survived',
      r.note.replaceAll('|', '\\|'),
    ].join(' | '),
  );
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...lines.map((l) => `| ${l} |`)].join(
    '\n',
  );
}
