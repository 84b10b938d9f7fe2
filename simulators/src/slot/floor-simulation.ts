import type { SmibEvent } from '@croupier/contracts';
import { SCHEMA_VERSION } from '@croupier/contracts';
import { deterministicEventId } from '../history/event-id.js';
import { createRng, type Rng } from '../random/index.js';
import { EventQueue } from './event-queue.js';
import { buildFloorPlan, type FloorMachine } from './floor-plan.js';
import { GamingDayCalendar } from './gaming-day.js';
import { GroundTruth } from './ground-truth.js';
import { buildPopulation, type SimPlayer } from './player-population.js';
import type { SlotFloorModelConfig } from './scenario.js';
import { type HouseRules, MIN_BILL_CENTS, simulateSession } from './session-model.js';

/** The static part of a floor: machines and players, built from a config and a seed. */
export interface SlotFloorModel {
  readonly config: SlotFloorModelConfig;
  readonly machines: readonly FloorMachine[];
  readonly players: readonly SimPlayer[];
  readonly calendar: GamingDayCalendar;
}

/** Builds the floor and the population; pure given the config and the player-token key. */
export function createSlotFloorModel(config: SlotFloorModelConfig, playerTokenKey: Uint8Array): SlotFloorModel {
  const root = createRng(config.seed);
  return {
    config,
    machines: buildFloorPlan(config.floor, root.fork('floor')),
    players: buildPopulation(config.players, root.fork('players'), playerTokenKey),
    calendar: new GamingDayCalendar(config.property.timeZone, config.property.gamingDayStartHour),
  };
}

/** An event as it leaves the simulated machine, with the session it belongs to (if any). */
export interface EmittedSlotEvent {
  readonly event: SmibEvent;
  readonly machine: FloorMachine;
  readonly sessionKey?: string;
}

const DAY_MS = 86_400_000;
const MONTH_DAYS = 30.44;
/** Relative arrival rate by property-local hour: quiet mornings, busy evenings. */
const ARRIVALS_BY_LOCAL_HOUR = [4, 3, 2, 1.5, 1, 1, 1, 1.5, 2, 3, 4, 5, 6, 6, 6, 6, 7, 8, 9, 10, 10, 9, 7, 5];
const MAX_ARRIVAL_WEIGHT = Math.max(...ARRIVALS_BY_LOCAL_HOUR);
const SESSION_LENGTH_SIGMA = 0.6;
const SESSION_MINUTES: readonly [number, number] = [5, 300];
const BREAK_MEAN_MS = 12 * 60_000;
const FLOOR_FULL_RETRY_MS = 5 * 60_000;
const FLOOR_FULL_RETRIES = 6;
/** Door episodes and power cycles wait for the player to leave; they start this long after. */
const AFTER_SESSION_MS = 90_000;
const DOOR_OPEN_MS: readonly [number, number] = [60_000, 10 * 60_000];
const POWER_OFF_MS: readonly [number, number] = [2 * 60_000, 20 * 60_000];
/** The drop team opens one cashbox door after another down the floor. */
const DROP_STEP_MS = 20_000;
const DROP_OPEN_MS = 40_000;
const SERVICE_DOORS = ['main', 'main', 'main', 'belly', 'logic'] as const;
/** SAS general exception codes the tilts are drawn from, with relative frequency. */
const TILTS: readonly { code: string; description: string; weight: number }[] = [
  { code: 'SAS-0x74', description: 'Printer paper low', weight: 5 },
  { code: 'SAS-0x28', description: 'Bill jam', weight: 4 },
  { code: 'SAS-0x2B', description: 'Bill rejected', weight: 6 },
  { code: 'SAS-0x61', description: 'Printer paper out error', weight: 1.5 },
  { code: 'SAS-0x60', description: 'Printer communication error', weight: 0.5 },
  { code: 'SAS-0x27', description: 'Cashbox full detected', weight: 1 },
  { code: 'SAS-0x20', description: 'General tilt', weight: 1 },
];
const TILT_WEIGHTS = TILTS.map((t) => t.weight);

interface Trip {
  readonly player: SimPlayer;
  readonly rng: Rng;
  pocketCents: number;
  sessionsLeft: number;
  retries: number;
}

type Item =
  | { readonly kind: 'day'; readonly t: number; readonly day: number }
  | { readonly kind: 'session'; readonly t: number; readonly trip: Trip }
  | {
      readonly kind: 'cursor';
      t: number;
      readonly events: SmibEvent[];
      i: number;
      readonly machine: FloorMachine;
      readonly sessionKey: string;
      readonly done: () => void;
    }
  | { readonly kind: 'emit'; readonly t: number; readonly event: SmibEvent; readonly machine: FloorMachine }
  | { readonly kind: 'tilt' | 'door' | 'power'; readonly t: number; readonly machine: FloorMachine };

interface MachineState {
  busyUntil: number;
  offUntil: number;
  readonly rng: Rng;
}

/**
 * The floor as a pure discrete-event simulation: given the model and a window, {@link events} yields
 * the exact same events in the same order every time. Trips start inside the window; sessions under
 * way at its end play out, so every session in the ground truth is complete.
 *
 * Sessions are simulated whole when they start (their play does not depend on anything else on the
 * floor), then their events are merged with everyone else's through one time-ordered queue. Machine
 * events (tilts, doors, power) run on per-machine streams, so adding a player never changes a
 * machine's fault history and vice versa.
 */
export class SlotFloorSimulation {
  readonly truth: GroundTruth;
  readonly #model: SlotFloorModel;
  readonly #start: number;
  readonly #end: number;
  readonly #rules: HouseRules;
  readonly #root: Rng;
  readonly #machineState: MachineState[];
  #sessionSeq = 0;

  constructor(model: SlotFloorModel, window: { startMs: number; endMs: number }, options = { recordEvents: false }) {
    if (!(window.endMs > window.startMs)) throw new RangeError('simulation window must end after it starts');
    this.#model = model;
    this.#start = window.startMs;
    this.#end = window.endMs;
    this.#root = createRng(model.config.seed);
    this.#rules = {
      handpayThresholdCents: model.config.handpayThresholdCents,
      ticketOutLimitCents: model.config.ticketOutLimitCents,
      abandonedCardShare: model.config.players.abandonedCardShare,
    };
    this.#machineState = model.machines.map((m) => ({
      busyUntil: 0,
      offUntil: 0,
      rng: this.#root.fork(`machine:${m.identity.machineId}`),
    }));
    this.truth = new GroundTruth(model.machines, model.players, options);
  }

  /** Every event of the run in time order; ground truth is updated as each one is yielded. */
  *events(): Generator<EmittedSlotEvent> {
    const queue = new EventQueue<Item>();
    queue.push({ kind: 'day', t: this.#start, day: 0 });
    const rates = this.#model.config.machineEvents;
    for (const machine of this.#model.machines) {
      const rng = this.#stateOf(machine).rng;
      this.#scheduleRandom(queue, 'tilt', machine, this.#start, rates.tiltsPerDay / DAY_MS, rng);
      this.#scheduleRandom(queue, 'door', machine, this.#start, rates.doorOpeningsPerDay / DAY_MS, rng);
      this.#scheduleRandom(
        queue,
        'power',
        machine,
        this.#start,
        rates.powerCyclesPerMonth / (MONTH_DAYS * DAY_MS),
        rng,
      );
    }
    for (let item = queue.pop(); item !== undefined; item = queue.pop()) {
      switch (item.kind) {
        case 'day':
          this.#startDay(queue, item.t, item.day);
          break;
        case 'session':
          this.#startSession(queue, item.t, item.trip);
          break;
        case 'cursor': {
          const event = item.events[item.i] as SmibEvent;
          this.truth.recordEvent(event, item.machine, item.sessionKey);
          yield { event, machine: item.machine, sessionKey: item.sessionKey };
          item.i += 1;
          if (item.i < item.events.length) {
            item.t = (item.events[item.i] as SmibEvent).eventTime;
            queue.push(item);
          } else {
            item.done();
          }
          break;
        }
        case 'emit':
          this.truth.recordEvent(item.event, item.machine, undefined);
          yield { event: item.event, machine: item.machine };
          break;
        case 'tilt':
        case 'door':
        case 'power':
          this.#machineEvent(queue, item.kind, item.machine, item.t);
          break;
      }
    }
  }

  #stateOf(machine: FloorMachine): MachineState {
    return this.#machineState[machine.index] as MachineState;
  }

  #scheduleRandom(
    queue: EventQueue<Item>,
    kind: 'tilt' | 'door' | 'power',
    machine: FloorMachine,
    from: number,
    ratePerMs: number,
    rng: Rng,
  ): void {
    if (!(ratePerMs > 0)) return;
    const t = Math.round(from + rng.exponential(ratePerMs));
    if (t < this.#end) queue.push({ kind, t, machine });
  }

  #event(machine: FloorMachine, t: number, rng: Rng) {
    return {
      eventId: deterministicEventId(t, rng),
      eventTime: t,
      schemaVersion: SCHEMA_VERSION,
      machineId: machine.identity.machineId,
    };
  }

  #machineEvent(queue: EventQueue<Item>, kind: 'tilt' | 'door' | 'power', machine: FloorMachine, t: number): void {
    const state = this.#stateOf(machine);
    const rng = state.rng;
    const rates = this.#model.config.machineEvents;
    if (kind === 'tilt') {
      const tilt = TILTS[rng.weightedIndex(TILT_WEIGHTS)] as (typeof TILTS)[number];
      const event: SmibEvent = {
        ...this.#event(machine, t, rng),
        type: 'tilt',
        code: tilt.code,
        description: tilt.description,
      };
      queue.push({ kind: 'emit', t, event, machine });
      this.#scheduleRandom(queue, 'tilt', machine, t, rates.tiltsPerDay / DAY_MS, rng);
      return;
    }
    // Attendants and technicians do not open a machine, nor cut its power, under a player.
    const blockedUntil = Math.max(state.busyUntil, state.offUntil);
    if (blockedUntil > t) {
      queue.push({ kind, t: blockedUntil + AFTER_SESSION_MS, machine });
      return;
    }
    if (kind === 'door') {
      const door = rng.pick(SERVICE_DOORS);
      const closeAt = t + Math.round(rng.uniform(DOOR_OPEN_MS[0], DOOR_OPEN_MS[1]));
      state.offUntil = closeAt;
      queue.push({
        kind: 'emit',
        t,
        machine,
        event: { ...this.#event(machine, t, rng), type: 'door', door, state: 'open' },
      });
      queue.push({
        kind: 'emit',
        t: closeAt,
        machine,
        event: { ...this.#event(machine, closeAt, rng), type: 'door', door, state: 'closed' },
      });
      this.#scheduleRandom(queue, 'door', machine, closeAt, rates.doorOpeningsPerDay / DAY_MS, rng);
      return;
    }
    const onAt = t + Math.round(rng.uniform(POWER_OFF_MS[0], POWER_OFF_MS[1]));
    state.offUntil = onAt;
    queue.push({ kind: 'emit', t, machine, event: { ...this.#event(machine, t, rng), type: 'power', state: 'off' } });
    queue.push({
      kind: 'emit',
      t: onAt,
      machine,
      event: { ...this.#event(machine, onAt, rng), type: 'power', state: 'on' },
    });
    this.#scheduleRandom(queue, 'power', machine, onAt, rates.powerCyclesPerMonth / (MONTH_DAYS * DAY_MS), rng);
  }

  #startDay(queue: EventQueue<Item>, dayStart: number, day: number): void {
    const dayEnd = Math.min(dayStart + DAY_MS, this.#end);
    const rng = this.#root.fork(`day:${day}`);
    const calendar = this.#model.calendar;
    for (const player of this.#model.players) {
      if (!rng.bernoulli(Math.min(0.9, player.tripsPerMonth / MONTH_DAYS))) continue;
      // Rejection sampling against the local-hour arrival profile.
      let arrival = dayStart;
      do arrival = Math.round(dayStart + rng.next() * DAY_MS);
      while (!rng.bernoulli((ARRIVALS_BY_LOCAL_HOUR[calendar.localHourOf(arrival)] as number) / MAX_ARRIVAL_WEIGHT));
      if (arrival >= dayEnd) continue;
      const tripRng = rng.fork(`trip:${player.index}`);
      const pocketCents = Math.max(
        MIN_BILL_CENTS,
        Math.round(player.tripBudgetMedianCents * Math.exp(tripRng.normal(0, 0.5))),
      );
      const sessions = 1 + tripRng.poisson(this.#model.config.players.sessionsPerTripMean - 1);
      queue.push({
        kind: 'session',
        t: arrival,
        trip: { player, rng: tripRng, pocketCents, sessionsLeft: sessions, retries: 0 },
      });
    }
    const dropHour = this.#model.config.machineEvents.dropHour;
    if (dropHour !== null) this.#scheduleDrop(queue, dayStart, dayEnd, dropHour, rng);
    if (dayStart + DAY_MS < this.#end) queue.push({ kind: 'day', t: dayStart + DAY_MS, day: day + 1 });
  }

  /** The drop: at the local drop hour every cashbox door opens and closes, machine after machine. */
  #scheduleDrop(queue: EventQueue<Item>, dayStart: number, dayEnd: number, dropHour: number, rng: Rng): void {
    const quarter = 15 * 60_000;
    let t = Math.ceil(dayStart / quarter) * quarter;
    while (t < dayEnd && this.#model.calendar.localHourOf(t) !== dropHour) t += quarter;
    if (t >= dayEnd) return;
    for (const machine of this.#model.machines) {
      const openAt = t + machine.index * DROP_STEP_MS;
      const closeAt = openAt + DROP_OPEN_MS;
      queue.push({
        kind: 'emit',
        t: openAt,
        machine,
        event: { ...this.#event(machine, openAt, rng), type: 'door', door: 'cashbox', state: 'open' },
      });
      queue.push({
        kind: 'emit',
        t: closeAt,
        machine,
        event: { ...this.#event(machine, closeAt, rng), type: 'door', door: 'cashbox', state: 'closed' },
      });
    }
  }

  #startSession(queue: EventQueue<Item>, t: number, trip: Trip): void {
    if (t >= this.#end) return;
    const machine = this.#pickMachine(t, trip);
    if (machine === undefined) {
      trip.retries += 1;
      if (trip.retries <= FLOOR_FULL_RETRIES) queue.push({ kind: 'session', t: t + FLOOR_FULL_RETRY_MS, trip });
      return;
    }
    const { player, rng } = trip;
    const minutes = Math.min(
      SESSION_MINUTES[1],
      Math.max(SESSION_MINUTES[0], player.sessionMinutesMedian * Math.exp(rng.normal(0, SESSION_LENGTH_SIGMA))),
    );
    const seq = this.#sessionSeq++;
    const result = simulateSession({
      machine,
      player,
      startMs: t,
      pocketCents: trip.pocketCents,
      plannedEndMs: t + Math.round(minutes * 60_000),
      rules: this.#rules,
      calendar: this.#model.calendar,
      rng: this.#root.fork(`session:${seq}`),
    });
    this.#stateOf(machine).busyUntil = result.endMs + 1;
    trip.pocketCents = result.pocketCents;
    trip.sessionsLeft -= 1;
    trip.retries = 0;
    const truth = result.truth;
    queue.push({
      kind: 'cursor',
      t,
      events: result.events,
      i: 0,
      machine,
      sessionKey: truth.sessionKey,
      done: () => this.truth.recordSession(truth),
    });
    if (trip.sessionsLeft > 0 && trip.pocketCents >= MIN_BILL_CENTS) {
      const next = result.endMs + Math.round(60_000 + rng.exponential(1 / BREAK_MEAN_MS));
      queue.push({ kind: 'session', t: next, trip });
    }
  }

  /** A free, powered, closed machine, weighted by how much the player likes its game. */
  #pickMachine(t: number, trip: Trip): FloorMachine | undefined {
    const candidates: FloorMachine[] = [];
    const weights: number[] = [];
    for (const machine of this.#model.machines) {
      const state = this.#stateOf(machine);
      if (state.busyUntil > t || state.offUntil > t) continue;
      candidates.push(machine);
      weights.push(trip.player.gameWeights[machine.game.key] ?? 0);
    }
    if (candidates.length === 0) return undefined;
    return candidates[trip.rng.weightedIndex(weights)];
  }
}
