/**
 * The "Croupier shuffler Modbus profile": every point a simulated shuffler exposes, in one typed table.
 * The Modbus server, the history generator (which quantises exactly as a Modbus read would) and the
 * profile document are all derived from this table.
 *
 * Conventions: addresses are 0-based protocol addresses; 32-bit values (uint32, float32) span two
 * registers, high word first (big-endian word order, "ABCD"); ASCII packs two characters per register,
 * first character in the high byte, right-padded with NUL.
 */
import { type ShufflerFaultCode, ShufflerGame } from '@croupier/contracts';
import { GAME_PROFILES } from './games.js';
import { hoursSinceService, reportedState, type ShufflerConfig, type ShufflerState, sensorHealth } from './model.js';

/** Settings a client may write (holding registers marked RW). */
export interface ShufflerSettings {
  /** Motor current above which the status word raises its motor-current warning, amperes. */
  readonly motorCurrentAlarmAmps: number;
}

/** Factory settings: the motor-current alarm sits 30% above the game's healthy current. */
export function defaultShufflerSettings(config: ShufflerConfig): ShufflerSettings {
  return { motorCurrentAlarmAmps: Math.round(GAME_PROFILES[config.game].nominalMotorCurrentAmps * 1.3 * 100) / 100 };
}

/** What the register map reads from. */
export interface ShufflerView {
  readonly config: ShufflerConfig;
  readonly state: ShufflerState;
  readonly settings: ShufflerSettings;
}

/** The four Modbus data tables. */
export type ModbusTable = 'coil' | 'discrete_input' | 'input_register' | 'holding_register';

/** Who may do what with a point. */
export type Access = 'R' | 'RW' | 'W';

/** Version of this profile, readable from holding register 0. */
export const PROFILE_VERSION = 1;
/** Firmware version the simulator reports, as major*100 + minor. */
export const FIRMWARE_VERSION = 213;
/** Over-temperature warning threshold, °C. */
export const OVER_TEMPERATURE_CELSIUS = 55;

/** Fault-code register values: the index is the code on the wire. `comm_error` is the collector's own. */
export const FAULT_CODES = [
  'none',
  'jam',
  'misfeed',
  'card_count_error',
  'motor_overcurrent',
  'motor_stall',
  'over_temperature',
  'optical_sensor_fault',
  'door_open',
] as const satisfies readonly ShufflerFaultCode[];

/** Operating-state register values. */
export const OPERATING_STATES = ['idle', 'shuffling', 'fault', 'service'] as const;

interface PointBase {
  readonly name: string;
  readonly table: ModbusTable;
  readonly address: number;
  readonly access: Access;
  readonly description: string;
}

/** A scaled number: wire value × scale = value in `unit`. */
export interface NumberPoint extends PointBase {
  readonly kind: 'number';
  readonly type: 'uint16' | 'uint32' | 'float32';
  readonly scale: number;
  readonly unit: string;
  readonly read: (view: ShufflerView) => number;
}

/** An enumeration: the wire value is the index into `values`. */
export interface EnumPoint extends PointBase {
  readonly kind: 'enum';
  readonly values: readonly string[];
  readonly read: (view: ShufflerView) => string;
}

/** One bit of a bit-packed status word. */
export interface BitDef {
  readonly bit: number;
  readonly name: string;
  readonly meaning: string;
}

/** A bit-packed 16-bit word. */
export interface BitfieldPoint extends PointBase {
  readonly kind: 'bitfield';
  readonly bits: readonly BitDef[];
  readonly read: (view: ShufflerView) => Readonly<Record<string, boolean>>;
}

/** A fixed-length ASCII string. */
export interface AsciiPoint extends PointBase {
  readonly kind: 'ascii';
  readonly length: number;
  readonly read: (view: ShufflerView) => string;
}

/** A coil or discrete input. Write-only coils are pulses: they read back 0. */
export interface BitPoint extends PointBase {
  readonly kind: 'bit';
  readonly read: (view: ShufflerView) => boolean;
}

export type RegisterPoint = NumberPoint | EnumPoint | BitfieldPoint | AsciiPoint;
export type ProfilePoint = RegisterPoint | BitPoint;

/** Registers a point occupies (1 for coils and discrete inputs: one bit). */
export function pointWidth(point: ProfilePoint): number {
  switch (point.kind) {
    case 'number':
      return point.type === 'uint16' ? 1 : 2;
    case 'ascii':
      return Math.ceil(point.length / 2);
    default:
      return 1;
  }
}

const STATUS_BITS: readonly BitDef[] = [
  { bit: 0, name: 'ready', meaning: 'Running and able to shuffle (no fault, not in service)' },
  { bit: 1, name: 'motorRunning', meaning: 'Motor running (a shuffle is in progress)' },
  { bit: 2, name: 'faultActive', meaning: 'A fault is active (see fault code)' },
  { bit: 3, name: 'inService', meaning: 'In service: operator service mode or a technician visit' },
  { bit: 4, name: 'jamPresent', meaning: 'Card jam present' },
  { bit: 5, name: 'doorOpen', meaning: 'Service door open' },
  { bit: 6, name: 'overTemperature', meaning: `Temperature at or above ${OVER_TEMPERATURE_CELSIUS} °C` },
  { bit: 7, name: 'motorCurrentHigh', meaning: 'Last-cycle motor current above the alarm threshold (HR 14)' },
];

const SENSOR_BITS: readonly BitDef[] = [
  { bit: 0, name: 'inputTrayOptical', meaning: 'Input-tray optical sensor healthy' },
  { bit: 1, name: 'outputTrayOptical', meaning: 'Output-tray optical sensor healthy' },
  { bit: 2, name: 'cardCounter', meaning: 'Card-count sensor healthy' },
  { bit: 3, name: 'doorClosed', meaning: 'Door interlock closed' },
];

function statusFlags(view: ShufflerView): Record<string, boolean> {
  const { state, settings } = view;
  const reported = reportedState(state);
  const door = !sensorHealth(state).doorClosed;
  return {
    ready: reported === 'idle' || reported === 'shuffling',
    motorRunning: state.motorRunning,
    faultActive: state.faultCode !== 'none',
    inService: reported === 'service',
    jamPresent: state.faultCode === 'jam',
    doorOpen: door,
    overTemperature: state.temperatureCelsius >= OVER_TEMPERATURE_CELSIUS,
    motorCurrentHigh: state.motorCurrentAmps > settings.motorCurrentAlarmAmps,
  };
}

function sensorFlags(view: ShufflerView): Record<string, boolean> {
  return { ...sensorHealth(view.state) };
}

const ir = 'input_register' as const;
const hr = 'holding_register' as const;

/** The profile. Addresses within a table are contiguous from 0, so any in-range block read is valid. */
export const SHUFFLER_PROFILE: readonly ProfilePoint[] = [
  // Input registers (FC 04): measurements.
  {
    name: 'statusWord',
    table: ir,
    address: 0,
    access: 'R',
    kind: 'bitfield',
    bits: STATUS_BITS,
    description: 'Status word',
    read: statusFlags,
  },
  {
    name: 'operatingState',
    table: ir,
    address: 1,
    access: 'R',
    kind: 'enum',
    values: OPERATING_STATES,
    description: 'Operating state',
    read: (v) => reportedState(v.state),
  },
  {
    name: 'faultCode',
    table: ir,
    address: 2,
    access: 'R',
    kind: 'enum',
    values: FAULT_CODES,
    description: 'Active fault code',
    read: (v) => v.state.faultCode,
  },
  {
    name: 'sensorStatus',
    table: ir,
    address: 3,
    access: 'R',
    kind: 'bitfield',
    bits: SENSOR_BITS,
    description: 'Sensor health word',
    read: sensorFlags,
  },
  num(
    ir,
    4,
    'shufflesTotal',
    'uint32',
    1,
    'shuffles',
    'Shuffles since manufacture or counter reset',
    (v) => v.state.shufflesTotal,
  ),
  num(
    ir,
    6,
    'misfeedsTotal',
    'uint32',
    1,
    'misfeeds',
    'Misfeeds since manufacture or counter reset',
    (v) => v.state.misfeedsTotal,
  ),
  num(ir, 8, 'jamsTotal', 'uint32', 1, 'jams', 'Jams since manufacture or counter reset', (v) => v.state.jamsTotal),
  num(
    ir,
    10,
    'cardCountErrorsTotal',
    'uint32',
    1,
    'errors',
    'Card-count errors since manufacture or counter reset',
    (v) => v.state.cardCountErrorsTotal,
  ),
  num(
    ir,
    12,
    'shufflesPerHour',
    'uint16',
    0.1,
    'shuffles/h',
    'Shuffles over the last hour (1 h exponential average)',
    (v) => v.state.shufflesPerHour,
  ),
  num(
    ir,
    13,
    'cycleTimeSeconds',
    'uint16',
    0.01,
    's',
    'Duration of the last shuffle cycle',
    (v) => v.state.cycleTimeSeconds,
  ),
  num(
    ir,
    14,
    'motorCurrentAmps',
    'float32',
    1,
    'A',
    'Mean motor current during the last shuffle cycle',
    (v) => v.state.motorCurrentAmps,
  ),
  num(ir, 16, 'temperatureCelsius', 'float32', 1, '°C', 'Motor housing temperature', (v) => v.state.temperatureCelsius),
  num(ir, 18, 'hoursSinceService', 'float32', 1, 'h', 'Hours since the last completed service', (v) =>
    hoursSinceService(v.state),
  ),
  num(
    ir,
    20,
    'opticalSignalPercent',
    'uint16',
    0.1,
    '%',
    'Input-tray optical signal level',
    (v) => v.state.opticalSignalPercent,
  ),
  num(ir, 21, 'lastCardCount', 'uint16', 1, 'cards', 'Cards counted in the last shuffle', (v) => v.state.lastCardCount),
  num(
    ir,
    22,
    'cardsFedSinceService',
    'uint32',
    1,
    'cards',
    'Cards fed through the rollers since the last service',
    (v) => v.state.cardsFedSinceService,
  ),
  num(ir, 24, 'motorRunSeconds', 'uint32', 1, 's', 'Motor run time since manufacture', (v) => v.state.motorRunSeconds),
  // Holding registers (FC 03, FC 06/16 where RW): identity and settings.
  num(hr, 0, 'profileVersion', 'uint16', 1, '', 'Version of this register profile', () => PROFILE_VERSION),
  {
    name: 'serialNumber',
    table: hr,
    address: 1,
    access: 'R',
    kind: 'ascii',
    length: 16,
    description: 'Serial number',
    read: (v) => v.config.serialNumber,
  },
  {
    name: 'game',
    table: hr,
    address: 9,
    access: 'R',
    kind: 'enum',
    values: ShufflerGame.options,
    description: 'Game the shuffler is configured for',
    read: (v) => v.config.game,
  },
  num(hr, 10, 'decks', 'uint16', 1, 'decks', 'Decks per shuffle', (v) => GAME_PROFILES[v.config.game].decks),
  num(
    hr,
    11,
    'firmwareVersion',
    'uint16',
    0.01,
    '',
    'Firmware version (2.13 is sent as 213)',
    () => FIRMWARE_VERSION / 100,
  ),
  num(hr, 12, 'deviceTime', 'uint32', 1, 's', 'Device clock, Unix seconds (simulated time)', (v) =>
    Math.floor(v.state.timeMs / 1000),
  ),
  {
    ...num(
      hr,
      14,
      'motorCurrentAlarmAmps',
      'float32',
      1,
      'A',
      'Motor current alarm threshold (status bit 7)',
      (v) => v.settings.motorCurrentAlarmAmps,
    ),
    access: 'RW',
  },
  // Coils (FC 01, FC 05/15): commands.
  bit(
    'coil',
    0,
    'serviceMode',
    'RW',
    'Service mode: 1 stops shuffling and reports state "service"',
    (v) => v.state.serviceMode,
  ),
  bit('coil', 1, 'resetCounters', 'W', 'Write 1: zero the four counters (IR 4–11); reads 0', () => false),
  bit(
    'coil',
    2,
    'serviceComplete',
    'W',
    'Write 1: record a completed service (renews wear, restarts hours since service); reads 0',
    () => false,
  ),
  // Discrete inputs (FC 02): states.
  bit('discrete_input', 0, 'motorRunning', 'R', 'Motor running', (v) => v.state.motorRunning),
  bit('discrete_input', 1, 'doorOpen', 'R', 'Service door open', (v) => !sensorHealth(v.state).doorClosed),
  bit('discrete_input', 2, 'jamPresent', 'R', 'Card jam present', (v) => v.state.faultCode === 'jam'),
  bit(
    'discrete_input',
    3,
    'serviceModeActive',
    'R',
    'In service (operator service mode or technician visit)',
    (v) => reportedState(v.state) === 'service',
  ),
  bit('discrete_input', 4, 'faultActive', 'R', 'A fault is active', (v) => v.state.faultCode !== 'none'),
  bit('discrete_input', 5, 'opticalSensorFault', 'R', 'An optical sensor is unhealthy', (v) => {
    const health = sensorHealth(v.state);
    return !health.inputTrayOptical || !health.outputTrayOptical;
  }),
  bit(
    'discrete_input',
    6,
    'overTemperature',
    'R',
    `Temperature at or above ${OVER_TEMPERATURE_CELSIUS} °C`,
    (v) => v.state.temperatureCelsius >= OVER_TEMPERATURE_CELSIUS,
  ),
];

function num(
  table: ModbusTable,
  address: number,
  name: string,
  type: NumberPoint['type'],
  scale: number,
  unit: string,
  description: string,
  read: (view: ShufflerView) => number,
): NumberPoint {
  return { name, table, address, access: 'R', kind: 'number', type, scale, unit, description, read };
}

function bit(
  table: 'coil' | 'discrete_input',
  address: number,
  name: string,
  access: Access,
  description: string,
  read: (view: ShufflerView) => boolean,
): BitPoint {
  return { name, table, address, access, kind: 'bit', description, read };
}

/** Points of one table, in address order. */
export function pointsOf(table: ModbusTable): readonly ProfilePoint[] {
  return SHUFFLER_PROFILE.filter((p) => p.table === table).sort((a, b) => a.address - b.address);
}

/** Number of addresses a table spans (from 0). */
export function tableSize(table: ModbusTable): number {
  return pointsOf(table).reduce((end, p) => Math.max(end, p.address + pointWidth(p)), 0);
}

const scratch = new DataView(new ArrayBuffer(4));

/** Encodes a register point's value into its words. */
export function encodeWords(
  point: RegisterPoint,
  value: number | string | Readonly<Record<string, boolean>>,
): number[] {
  switch (point.kind) {
    case 'number': {
      const v = value as number;
      if (point.type === 'float32') {
        scratch.setFloat32(0, v / point.scale);
        return [scratch.getUint16(0), scratch.getUint16(2)];
      }
      const max = point.type === 'uint16' ? 0xffff : 0xffffffff;
      const raw = Math.min(max, Math.max(0, Math.round(v / point.scale)));
      return point.type === 'uint16' ? [raw] : [Math.floor(raw / 0x10000), raw % 0x10000];
    }
    case 'enum': {
      const index = point.values.indexOf(value as string);
      if (index < 0) throw new RangeError(`${point.name}: "${String(value)}" is not one of ${point.values.join(', ')}`);
      return [index];
    }
    case 'bitfield': {
      const flags = value as Readonly<Record<string, boolean>>;
      return [point.bits.reduce((word, b) => (flags[b.name] ? word | (1 << b.bit) : word), 0)];
    }
    case 'ascii': {
      const text = (value as string).slice(0, point.length);
      const words: number[] = [];
      for (let i = 0; i < point.length; i += 2) {
        words.push(((text.charCodeAt(i) || 0) << 8) | (text.charCodeAt(i + 1) || 0));
      }
      return words;
    }
  }
}

/** raw × scale without binary noise: 123 × 0.1 is 12.3, not 12.300000000000001. */
function scaled(raw: number, scale: number): number {
  if (scale === 1) return raw;
  const decimals = Math.max(0, Math.ceil(-Math.log10(scale)));
  return Number((raw * scale).toFixed(decimals));
}

/** Decoded value of a register point. */
export type DecodedValue = number | string | Readonly<Record<string, boolean>>;

/** Decodes a register point from its words (exactly `pointWidth(point)` of them). */
export function decodeWords(point: RegisterPoint, words: readonly number[]): DecodedValue {
  const w0 = words[0] ?? 0;
  const w1 = words[1] ?? 0;
  switch (point.kind) {
    case 'number':
      if (point.type === 'float32') {
        scratch.setUint16(0, w0);
        scratch.setUint16(2, w1);
        return scratch.getFloat32(0) * point.scale;
      }
      return scaled(point.type === 'uint16' ? w0 : w0 * 0x10000 + w1, point.scale);
    case 'enum': {
      const value = point.values[w0];
      if (value === undefined) throw new RangeError(`${point.name}: unknown code ${w0}`);
      return value;
    }
    case 'bitfield':
      return Object.fromEntries(point.bits.map((b) => [b.name, (w0 & (1 << b.bit)) !== 0]));
    case 'ascii':
      return String.fromCharCode(...words.flatMap((w) => [w >> 8, w & 0xff])).replace(/\0+$/, '');
  }
}

/** The whole register table of one device, as words on the wire. */
export function registerImage(table: 'input_register' | 'holding_register', view: ShufflerView): number[] {
  const image = new Array<number>(tableSize(table)).fill(0);
  for (const point of pointsOf(table) as RegisterPoint[]) {
    encodeWords(point, point.read(view)).forEach((word, i) => {
      image[point.address + i] = word;
    });
  }
  return image;
}

/** The whole bit table of one device. */
export function bitImage(table: 'coil' | 'discrete_input', view: ShufflerView): boolean[] {
  return (pointsOf(table) as BitPoint[]).map((p) => p.read(view));
}

/** Decodes a block of registers read from `start` into named values (points wholly inside the block). */
export function decodeRegisterBlock(
  table: 'input_register' | 'holding_register',
  start: number,
  words: readonly number[],
): Record<string, DecodedValue> {
  const out: Record<string, DecodedValue> = {};
  for (const point of pointsOf(table) as RegisterPoint[]) {
    const offset = point.address - start;
    const width = pointWidth(point);
    if (offset >= 0 && offset + width <= words.length)
      out[point.name] = decodeWords(point, words.slice(offset, offset + width));
  }
  return out;
}
