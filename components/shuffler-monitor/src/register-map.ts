import { z } from 'zod';

/** Modbus data tables: holding registers (FC3), input registers (FC4), coils (FC1), discrete inputs (FC2). */
export const ModbusTable = z.enum(['holding', 'input', 'coil', 'discrete']);
export type ModbusTable = z.infer<typeof ModbusTable>;

/** How a point's raw bits are interpreted. */
export const PointType = z.enum([
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float32',
  'float64',
  'bit',
  'string',
]);
export type PointType = z.infer<typeof PointType>;

/** Order of the two bytes inside one 16-bit register; Modbus itself is big-endian. */
export const ByteOrder = z.enum(['big', 'little']);
export type ByteOrder = z.infer<typeof ByteOrder>;

/** Order of registers in a multi-register value: `big` puts the most significant word first. */
export const WordOrder = z.enum(['big', 'little']);
export type WordOrder = z.infer<typeof WordOrder>;

const REGISTERS_PER_TYPE: Readonly<Record<Exclude<PointType, 'string' | 'bit'>, number>> = {
  int16: 1,
  uint16: 1,
  int32: 2,
  uint32: 2,
  float32: 2,
  int64: 4,
  uint64: 4,
  float64: 4,
};

/** Most registers one read may return (Modbus spec, FC3/FC4). */
export const MAX_REGISTERS_PER_READ = 125;
/** Most coils or discrete inputs one read may return (Modbus spec, FC1/FC2). */
export const MAX_BITS_PER_READ = 2000;

/**
 * One value on a device: where it lives, how its bits decode, and how the engineering value is derived
 * (`raw * scale + offset`). A `bit` point in a register table picks bit `bit` (0 = least significant)
 * of one register; in a coil or discrete table it is one coil.
 */
export const PointDefinition = z
  .object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_.]{0,63}$/),
    table: ModbusTable,
    address: z.int().min(0).max(65_535),
    type: PointType,
    /** Bit index inside the register, for `bit` points in holding/input tables. */
    bit: z.int().min(0).max(15).optional(),
    /** Registers a `string` point spans (two ASCII characters each). */
    length: z.int().min(1).max(MAX_REGISTERS_PER_READ).optional(),
    byteOrder: ByteOrder.default('big'),
    wordOrder: WordOrder.default('big'),
    scale: z.number().finite().default(1),
    offset: z.number().finite().default(0),
    /** Report-by-exception: change smaller than this (in engineering units) is not news. */
    deadband: z.number().min(0).default(0),
    /** Enumeration: the raw integer is an index into these labels, and the point decodes to the label. */
    values: z.array(z.string().min(1)).min(1).max(1024).optional(),
  })
  .superRefine((p, ctx) => {
    const bitTable = p.table === 'coil' || p.table === 'discrete';
    if (bitTable && p.type !== 'bit') {
      ctx.addIssue({ code: 'custom', message: `${p.name}: ${p.table} points must have type "bit"` });
    }
    if (p.type === 'bit' && !bitTable && p.bit === undefined) {
      ctx.addIssue({ code: 'custom', message: `${p.name}: a bit in a register needs "bit" (0-15)` });
    }
    if (p.type === 'string' && p.length === undefined) {
      ctx.addIssue({ code: 'custom', message: `${p.name}: a string needs "length" in registers` });
    }
    if (p.values !== undefined && p.type !== 'uint16' && p.type !== 'int16') {
      ctx.addIssue({ code: 'custom', message: `${p.name}: enumerations are 16-bit integers` });
    }
    if (p.address + pointWidth(p) - 1 > 65_535) {
      ctx.addIssue({ code: 'custom', message: `${p.name}: runs past address 65535` });
    }
  });
export type PointDefinition = z.infer<typeof PointDefinition>;
export type PointDefinitionInput = z.input<typeof PointDefinition>;

/** Registers (or coils, for bit tables) a point occupies. */
export function pointWidth(p: Pick<PointDefinition, 'table' | 'type' | 'length'>): number {
  if (p.type === 'bit') return 1;
  if (p.type === 'string') return p.length ?? 1;
  return REGISTERS_PER_TYPE[p.type];
}

/** Whether a table holds single bits (coils, discrete inputs) rather than 16-bit registers. */
export function isBitTable(table: ModbusTable): boolean {
  return table === 'coil' || table === 'discrete';
}
