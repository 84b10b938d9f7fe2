/**
 * The traffic the cost model prices at: the reference floor of docs/cost-estimate.md (2,000 slot
 * machines, one game every 6 s while in play, 30 % average occupancy, +5 % other events, 10 slot
 * cores). Shard-hours are a fixed monthly cost, so their share per event depends on this traffic;
 * everything else in the model is per event or per envelope.
 */
export interface ReferenceFloor {
  readonly machines: number;
  readonly slotCores: number;
  readonly slotEventsPerMonth: number;
  /** Days the monthly event count covers. */
  readonly daysPerMonth: number;
  /** Hours billed per month for always-on resources (shards). */
  readonly hoursPerMonth: number;
  /** Peak over average traffic, for sizing a stream that carries one record per event. */
  readonly peakToAverage: number;
  /** An uplink topic of the reference floor, metered by IoT Core with the payload. */
  readonly slotTopic: string;
}

export const REFERENCE_FLOOR: ReferenceFloor = {
  machines: 2_000,
  slotCores: 10,
  slotEventsPerMonth: 2_000 * 4_320 * 1.05 * 30,
  daysPerMonth: 30,
  hoursPerMonth: 730,
  peakToAverage: 3,
  slotTopic: 'croupier/desert-palms/floor-core-10/slot',
};

/** Average slot events per second per slot core on the reference floor. */
export function eventsPerCorePerSecond(floor: ReferenceFloor): number {
  return floor.slotEventsPerMonth / (floor.daysPerMonth * 86_400) / floor.slotCores;
}
