import type { MachineIdentity } from '@croupier/contracts';
import type { Rng } from '../random/index.js';
import { GAME_CATALOGUE, type GameDefinition } from './game-catalogue.js';
import { buildPaytable, type PaytableModel } from './paytable-model.js';
import type { FloorConfig } from './scenario.js';

/** A machine on the simulated floor: its identity as SlotGateway knows it, plus what the model needs. */
export interface FloorMachine {
  readonly index: number;
  readonly identity: MachineIdentity;
  readonly game: GameDefinition;
  readonly paytable: PaytableModel;
}

/** Floor-plan geometry, metres. A bank is a row of cabinets; banks are separated by walkways. */
const CABINET_WIDTH_M = 0.8;
const BANK_PITCH_M = 3.5;
const ZONE_GAP_M = 6;
const MARGIN_M = 2;

/** Holds are set in basis points of a percent: 0.0001 steps, as certified paytables are listed. */
const HOLD_STEP = 10_000;

/**
 * Lays out the floor: zones side by side along x, banks as rows along y inside a zone, cabinets
 * along x inside a bank. Each bank carries one game (banks are themed on real floors), drawn from the
 * zone's mix; each machine gets a denomination of that game and a hold within the game's certified range.
 * Machine ids are asset numbers `SM-0001`… in floor order.
 */
export function buildFloorPlan(config: FloorConfig, rng: Rng): FloorMachine[] {
  const machines: FloorMachine[] = [];
  const paytables = new Map<string, PaytableModel>();
  let zoneX = MARGIN_M;
  for (const zone of config.zones) {
    const zoneRng = rng.fork(`zone:${zone.zoneId}`);
    const keys = Object.keys(zone.games);
    const weights = keys.map((k) => zone.games[k] as number);
    for (let b = 0; b < zone.banks; b += 1) {
      const game = GAME_CATALOGUE[keys[zoneRng.weightedIndex(weights)] as string] as GameDefinition;
      const bankId = `${zone.zoneId}-B${String(b + 1).padStart(2, '0')}`;
      for (let m = 0; m < zone.machinesPerBank; m += 1) {
        const [lo, hi] = game.holdRange;
        const hold = zoneRng.int(Math.round(lo * HOLD_STEP), Math.round(hi * HOLD_STEP)) / HOLD_STEP;
        const denominationCents = zoneRng.pick(game.denominationsCents);
        const paytableId = `${game.key}-h${String(Math.round(hold * HOLD_STEP)).padStart(4, '0')}`;
        let paytable = paytables.get(paytableId);
        if (paytable === undefined) {
          paytable = buildPaytable({
            paytableId,
            theoreticalHold: hold,
            payDenominator: game.payDenominator,
            shape: game.shape,
          });
          paytables.set(paytableId, paytable);
        }
        const index = machines.length;
        machines.push({
          index,
          game,
          paytable,
          identity: {
            machineId: `SM-${String(index + 1).padStart(4, '0')}`,
            location: {
              bank: bankId,
              zone: zone.zoneId,
              x: round2(zoneX + (m + 0.5) * CABINET_WIDTH_M),
              y: round2(MARGIN_M + b * BANK_PITCH_M),
            },
            denominationCents,
            gameId: game.gameId,
            paytable: { paytableId, theoreticalHold: paytable.theoreticalHold },
            manufacturer: game.manufacturer,
          },
        });
      }
    }
    zoneX += zone.machinesPerBank * CABINET_WIDTH_M + ZONE_GAP_M;
  }
  return machines;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
