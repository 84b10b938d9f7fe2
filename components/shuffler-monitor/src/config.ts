import { Identifier, ShufflerGame } from '@croupier/contracts';
import { z } from 'zod';
import { PointDefinition } from './register-map.js';
import { REQUIRED_TELEMETRY_POINTS } from './telemetry-mapper.js';

/** A Modbus TCP endpoint: a shuffler, or a gateway with many unit ids behind it. */
export const TcpBus = z.object({
  kind: z.literal('tcp'),
  host: z.string().min(1).max(253),
  port: z.int().min(1).max(65_535).default(502),
});

/** A serial RS-485 line in RTU framing; ShufflerMonitor is its only master. */
export const RtuBus = z.object({
  kind: z.literal('rtu'),
  path: z.string().min(1).max(255),
  baudRate: z.int().positive().default(19_200),
  dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
  parity: z.enum(['none', 'even', 'odd']).default('even'),
  stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
});

export const BusDefinition = z.discriminatedUnion('kind', [TcpBus, RtuBus]);
export type BusDefinition = z.infer<typeof BusDefinition>;

/** A polling group: points read together at one cadence. */
export const PollGroup = z.object({
  name: Identifier,
  intervalMs: z.int().min(10).max(86_400_000),
  /** Random start offset in [0, jitterMs], so devices on one bus do not all fire at once. */
  jitterMs: z.int().min(0).max(3_600_000).default(0),
  points: z.array(z.string()).min(1),
});
export type PollGroup = z.infer<typeof PollGroup>;

/** A register map and how its points are grouped for polling. */
export const RegisterMap = z
  .object({
    points: z.array(PointDefinition).min(1).max(1024),
    groups: z.array(PollGroup).min(1).max(16),
  })
  .superRefine((map, ctx) => {
    const names = new Set<string>();
    for (const p of map.points) {
      if (names.has(p.name)) ctx.addIssue({ code: 'custom', message: `duplicate point "${p.name}"` });
      names.add(p.name);
    }
    const grouped = new Set(map.groups.flatMap((g) => g.points));
    for (const g of map.groups) {
      for (const n of g.points) {
        if (!names.has(n)) ctx.addIssue({ code: 'custom', message: `group "${g.name}" names unknown point "${n}"` });
      }
    }
    for (const n of REQUIRED_TELEMETRY_POINTS) {
      if (!names.has(n)) ctx.addIssue({ code: 'custom', message: `telemetry needs point "${n}"` });
      else if (!grouped.has(n)) ctx.addIssue({ code: 'custom', message: `point "${n}" is in no polling group` });
    }
  });
export type RegisterMap = z.infer<typeof RegisterMap>;

/** One shuffler: where it is reached and which map it speaks. */
export const DeviceDefinition = z.object({
  deviceId: Identifier,
  tableId: Identifier.optional(),
  game: ShufflerGame.optional(),
  serialNumber: z.string().max(32).optional(),
  bus: Identifier,
  unitId: z.int().min(0).max(255).default(1),
  registerMap: Identifier,
  enabled: z.boolean().default(true),
});
export type DeviceDefinition = z.infer<typeof DeviceDefinition>;

/** ShufflerMonitor's configuration, as the recipe's DefaultConfiguration and deployments merge it. */
export const MonitorConfig = z
  .object({
    buses: z.record(Identifier, BusDefinition),
    registerMaps: z.record(Identifier, RegisterMap),
    devices: z.array(DeviceDefinition).max(1024),
    /** Time one request may take before it counts as failed. */
    timeoutMs: z.int().min(10).max(60_000).default(1_000),
    /** Further attempts of a failed read within one poll, each queued behind the bus's other work. */
    retries: z.int().min(0).max(5).default(1),
    backoff: z
      .object({
        initialMs: z.int().min(10).default(5_000),
        maxMs: z.int().min(10).default(300_000),
        multiplier: z.number().min(1).max(10).default(2),
      })
      .default({ initialMs: 5_000, maxMs: 300_000, multiplier: 2 }),
    merge: z
      .object({ maxRegisterGap: z.int().min(0).max(124).default(8), maxBitGap: z.int().min(0).max(1999).default(64) })
      .default({ maxRegisterGap: 8, maxBitGap: 64 }),
    /** Publish at least this often per device even when nothing moved beyond its deadband. */
    heartbeatMs: z.int().min(1_000).max(86_400_000).default(60_000),
    /** How often the component publishes its health and metrics. */
    healthIntervalMs: z.int().min(1_000).max(3_600_000).default(60_000),
  })
  .superRefine((cfg, ctx) => {
    const ids = new Set<string>();
    const units = new Set<string>();
    for (const d of cfg.devices) {
      if (ids.has(d.deviceId)) ctx.addIssue({ code: 'custom', message: `duplicate device "${d.deviceId}"` });
      ids.add(d.deviceId);
      const unit = `${d.bus}#${d.unitId}`;
      if (units.has(unit)) ctx.addIssue({ code: 'custom', message: `two devices on bus "${d.bus}" unit ${d.unitId}` });
      units.add(unit);
      if (!cfg.buses[d.bus]) ctx.addIssue({ code: 'custom', message: `${d.deviceId}: unknown bus "${d.bus}"` });
      if (!cfg.registerMaps[d.registerMap]) {
        ctx.addIssue({ code: 'custom', message: `${d.deviceId}: unknown register map "${d.registerMap}"` });
      }
    }
  });
export type MonitorConfig = z.infer<typeof MonitorConfig>;
export type MonitorConfigInput = z.input<typeof MonitorConfig>;
