/**
 * Renders the "Croupier shuffler Modbus profile" document from the register table and the model's
 * constants, so the document cannot drift from the code (a test compares it with the checked-in file).
 */
import { fileURLToPath } from 'node:url';
import { MODBUS_EXCEPTIONS } from './comm-faults.js';
import { FAILURE_MODE_PROFILES } from './failure-modes.js';
import { GAME_PROFILES } from './games.js';
import {
  FAULT_CODES,
  type ModbusTable,
  OPERATING_STATES,
  type ProfilePoint,
  pointsOf,
  pointWidth,
  SHUFFLER_PROFILE,
} from './register-map.js';
import { TELEMETRY_SOURCES } from './telemetry.js';

/** Where the profile document lives in the repository. */
export const PROFILE_DOC_PATH = fileURLToPath(new URL('../../docs/shuffler-modbus-profile.md', import.meta.url));

const TABLES: readonly { table: ModbusTable; title: string; functions: string }[] = [
  { table: 'input_register', title: 'Input registers', functions: 'FC 04 read' },
  { table: 'holding_register', title: 'Holding registers', functions: 'FC 03 read; FC 06 / FC 16 write (RW only)' },
  { table: 'coil', title: 'Coils', functions: 'FC 01 read; FC 05 / FC 15 write' },
  { table: 'discrete_input', title: 'Discrete inputs', functions: 'FC 02 read' },
];

function typeOf(point: ProfilePoint): string {
  switch (point.kind) {
    case 'number':
      return point.type;
    case 'enum':
      return 'uint16 enum';
    case 'bitfield':
      return 'uint16 bits';
    case 'ascii':
      return `ASCII[${point.length}]`;
    case 'bit':
      return 'bit';
  }
}

function wordOrder(point: ProfilePoint): string {
  if (point.kind === 'ascii') return 'char 1 in high byte';
  return pointWidth(point) === 2 ? 'high word first' : '—';
}

function scaleUnit(point: ProfilePoint): string {
  if (point.kind !== 'number') return '—';
  const scale = point.scale === 1 ? '' : `× ${point.scale}`;
  return [scale, point.unit].filter(Boolean).join(' ') || '—';
}

function meaning(point: ProfilePoint): string {
  switch (point.kind) {
    case 'enum':
      return `${point.description}: ${point.values.map((v, i) => `${i} = ${v}`).join(', ')}`;
    case 'bitfield':
      return `${point.description}: ${point.bits.map((b) => `bit ${b.bit} ${b.name} (${b.meaning})`).join('; ')}`;
    default:
      return point.description;
  }
}

function addressOf(point: ProfilePoint): string {
  const width = pointWidth(point);
  return point.kind === 'bit' || width === 1 ? String(point.address) : `${point.address}–${point.address + width - 1}`;
}

/** The profile document, Markdown. */
export function renderProfileDoc(): string {
  const lines: string[] = [
    '# Croupier shuffler Modbus profile',
    '',
    '<!-- Generated from simulators/src/shuffler/register-map.ts by',
    '     `npx tsx simulators/src/shuffler/write-profile-doc.ts`. Do not edit by hand. -->',
    '',
    'Every simulated shuffler is a Modbus server (TCP, or RTU on a serial line). Several shufflers can',
    'sit behind one TCP endpoint, told apart by unit id, as behind a serial-to-Ethernet gateway.',
    '',
    '## Conventions',
    '',
    '- Addresses are 0-based protocol addresses (register 0 is the first register on the wire).',
    '- 32-bit values (uint32, float32) span two consecutive registers, **high word first** (big-endian',
    '  word order, bytes ABCD). float32 is IEEE 754 single precision.',
    '- Scaled integers: value = wire value × scale. Values are rounded to the nearest step and clamped to the type.',
    '- ASCII: two characters per register, first character in the high byte, right-padded with NUL.',
    '- Counters count since manufacture; the reset-counters coil zeroes them (a collector sees a drop).',
    '- A block read may start and end anywhere inside a table; reading past its end answers exception 0x02.',
    '  Writing a read-only register answers 0x02; an out-of-range setting answers 0x03.',
    '',
  ];
  for (const { table, title, functions } of TABLES) {
    lines.push(`## ${title} (${functions})`, '');
    lines.push('| address | name | type | word order | scale / unit | access | meaning |');
    lines.push('|---|---|---|---|---|---|---|');
    for (const point of pointsOf(table)) {
      lines.push(
        `| ${addressOf(point)} | \`${point.name}\` | ${typeOf(point)} | ${wordOrder(point)} | ${scaleUnit(point)} | ${point.access} | ${meaning(point)} |`,
      );
    }
    lines.push('');
  }
  lines.push(
    '## Mapping to ShufflerTelemetry',
    '',
    'How a collector fills the contract event (`@croupier/contracts` ShufflerTelemetry) from one read of',
    'the input registers; the history generator builds its events the same way, through the same encoding.',
    'float32 gauges are rounded to 4 decimals.',
    '',
    '| ShufflerTelemetry field | from point |',
    '|---|---|',
    ...Object.entries(TELEMETRY_SOURCES).map(([field, point]) => `| \`${field}\` | \`${point}\` |`),
    '',
    '## Operating state and fault codes',
    '',
    `Operating state (IR 1): ${OPERATING_STATES.map((s, i) => `${i} = ${s}`).join(', ')}. The contract's`,
    '`offline` state is never reported by a device: the collector sets it when the device does not answer.',
    '',
    `Fault code (IR 2): ${FAULT_CODES.map((s, i) => `${i} = ${s}`).join(', ')}. \`comm_error\` is likewise the collector's own.`,
    '',
    '## Games',
    '',
    '| game | decks | cards per shuffle | healthy cycle time (s) | peak shuffles per hour | healthy motor current (A) |',
    '|---|---|---|---|---|---|',
    ...Object.values(GAME_PROFILES).map(
      (g) =>
        `| ${g.game} | ${g.decks} | ${g.cardsPerShuffle} | ${g.nominalCycleSeconds} | ${g.peakShufflesPerHour} | ${g.nominalMotorCurrentAmps} |`,
    ),
    '',
    'Demand follows the hour of day (UTC): 100% of peak around 22:00, 40% around 10:00.',
    '',
    '## Failure modes and precursor lead times',
    '',
    'A failure with a precursor ramps its effects linearly from nothing, `lead` hours before the failure,',
    'to full strength at the failure; `lead` is drawn uniformly from the range below. The effects are sized',
    'so that the precursor stands clear of healthy noise from at least the "visible from" time on. A',
    'configured share of failures has no precursor at all: telemetry is healthy until the failure.',
    'A preventive service renews the parts and averts a failure whose precursor is under way.',
    '',
    '| mode | fault code at failure | precursor lead (h) | visible from (h before failure) | where it shows |',
    '|---|---|---|---|---|',
    ...Object.values(FAILURE_MODE_PROFILES).map(
      (m) =>
        `| ${m.mode} | ${m.faultCode} | ${m.leadHours[0]}–${m.leadHours[1]} | ${m.visibleHours} | ${m.signature} |`,
    ),
    '',
    'After a failure the shuffler stops in state `fault` until a technician arrives (0.5–6 h), then is in',
    'state `service` for 0.5–2 h; the service renews rollers and motor and restarts `hoursSinceService`.',
    'Roller wear also grows with every card fed (end of life after 4,000,000 cards) and raises misfeeds and',
    'cycle time slowly between services.',
    '',
    '## Communication faults (simulator only)',
    '',
    'Each unit can be told to misbehave, to exercise collectors:',
    '',
    '- **offline**: requests are dropped unanswered; the client times out.',
    '- **slow**: every answer is delayed by a set number of milliseconds.',
    `- **exception**: every request is answered with a Modbus exception, e.g. 0x${MODBUS_EXCEPTIONS.serverDeviceFailure.toString(16).padStart(2, '0')} server device failure or 0x${MODBUS_EXCEPTIONS.serverDeviceBusy.toString(16).padStart(2, '0')} server device busy.`,
    '- **corrupt frames**: over RTU the response CRC is inverted; over TCP the MBAP header is kept and the PDU is garbled.',
    '',
    `A TCP gateway answers exception 0x${MODBUS_EXCEPTIONS.gatewayTargetFailedToRespond.toString(16).padStart(2, '0')} for a unit id it does not serve; on a serial bus such requests go unanswered.`,
    '',
    '## Running',
    '',
    '- Live floor: `npx tsx simulators/src/shuffler/cli.ts --scenario simulators/scenarios/shuffler-floor-demo.json [--port 0]`',
    '  serves the scenario fleet (units 1..N) on one Modbus TCP endpoint and optionally on RTU serial lines; it prints',
    '  JSON lines: `listening`, `event` (ground-truth failures and services) and `fault` (scheduled comm faults).',
    '  Set `live.start` for a reproducible run; `live.timeScale` runs simulated time faster than real time.',
    '- History: `npx tsx simulators/src/history/cli.ts --scenario simulators/scenarios/shuffler-history-90d.json --out <lake dir>`',
    '  writes `raw/shuffler/dt=…/hr=…/*.jsonl.gz` (ShufflerTelemetry, one per device per `history.sampleSeconds`,',
    '  default 300 s) and `raw/service/…` (ShufflerMaintenanceRecord: failures with mode and `hadPrecursor`, services).',
    '  The same scenario writes byte-identical files.',
    '- Benchmark: `npx tsx simulators/bench/shuffler.ts`.',
    '- Serial lines for testing: `socat -d -d pty,raw,echo=0 pty,raw,echo=0` prints two linked pseudo-terminals;',
    '  give one to `live.serial[].path` and the other to the client.',
    '',
    `Points: ${SHUFFLER_PROFILE.length}.`,
    '',
  );
  return lines.join('\n');
}
