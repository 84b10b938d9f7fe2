import {
  isBitTable,
  MAX_BITS_PER_READ,
  MAX_REGISTERS_PER_READ,
  type ModbusTable,
  type PointDefinition,
  pointWidth,
} from './register-map.js';

/** One Modbus read request and the points it serves. */
export interface PlannedRead {
  readonly table: ModbusTable;
  readonly address: number;
  readonly count: number;
  readonly points: readonly PointDefinition[];
}

/** How far the planner may stretch one read to cover a neighbour. */
export interface MergePolicy {
  /** Unmapped registers one read may span to join two points (0: only adjacent or overlapping points merge). */
  readonly maxRegisterGap: number;
  /** Unmapped coils or discrete inputs one read may span. */
  readonly maxBitGap: number;
}

const TABLE_ORDER: readonly ModbusTable[] = ['holding', 'input', 'coil', 'discrete'];

/**
 * Plans the fewest reads that cover `points`: per table, sorted by address, a point joins the current
 * read when the gap to it is within policy and the read stays within the protocol limit (125 registers,
 * 2000 bits). Pure and deterministic: the same points always give the same plan.
 */
export function planReads(points: readonly PointDefinition[], policy: MergePolicy): PlannedRead[] {
  const plan: PlannedRead[] = [];
  for (const table of TABLE_ORDER) {
    const inTable = points
      .filter((p) => p.table === table)
      .sort((a, b) => a.address - b.address || pointWidth(b) - pointWidth(a));
    const limit = isBitTable(table) ? MAX_BITS_PER_READ : MAX_REGISTERS_PER_READ;
    const maxGap = isBitTable(table) ? policy.maxBitGap : policy.maxRegisterGap;
    let current: { address: number; end: number; points: PointDefinition[] } | undefined;
    for (const point of inTable) {
      const end = point.address + pointWidth(point);
      if (current) {
        const gap = point.address - current.end;
        const mergedEnd = Math.max(current.end, end);
        if (gap <= maxGap && mergedEnd - current.address <= limit) {
          current.end = mergedEnd;
          current.points.push(point);
          continue;
        }
        plan.push({ table, address: current.address, count: current.end - current.address, points: current.points });
      }
      current = { address: point.address, end, points: [point] };
    }
    if (current) {
      plan.push({ table, address: current.address, count: current.end - current.address, points: current.points });
    }
  }
  return plan;
}
