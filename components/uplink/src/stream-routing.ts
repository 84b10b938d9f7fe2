import { LOCAL_TOPICS, type UplinkStream } from '@croupier/contracts';
import type { SpoolStream } from '@croupier/edge-kit';

/** Which uplink stream each local topic feeds. */
export const LOCAL_TOPIC_STREAMS: ReadonlyArray<{ readonly topic: string; readonly stream: UplinkStream }> = [
  { topic: LOCAL_TOPICS.slotEvents, stream: 'slot' },
  { topic: LOCAL_TOPICS.shufflerTelemetry, stream: 'shuffler' },
  { topic: LOCAL_TOPICS.predictions, stream: 'alert' },
  { topic: LOCAL_TOPICS.alerts, stream: 'alert' },
  { topic: LOCAL_TOPICS.health, stream: 'health' },
];

/**
 * Spool eviction order. Slot events are money and player activity: critical, never evicted (intake
 * pauses instead). Alerts outrank raw telemetry, which outranks health reports (the newest report
 * supersedes the old ones anyway).
 */
export const SPOOL_STREAMS: readonly SpoolStream[] = [
  { name: 'slot', priority: 4, critical: true },
  { name: 'alert', priority: 3, critical: false },
  { name: 'shuffler', priority: 2, critical: false },
  { name: 'health', priority: 1, critical: false },
];
