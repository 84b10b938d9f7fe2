/**
 * CloudWatch metrics that cores publish themselves (with token-exchange credentials), so they reach
 * CloudWatch even when the MQTT uplink they describe is stuck. The edge publishes them; the
 * observability stack alarms on them; the token-exchange role may write this namespace only.
 */
export const EDGE_METRICS_NAMESPACE = 'Croupier/Edge';

/**
 * Age in seconds of the oldest envelope waiting in a core's durable spool (0 when empty), published
 * every 60 s by Uplink with unit `Seconds` under two dimension sets: `PropertyId` (what alarms use)
 * and `PropertyId` + `CoreName` (for drilling down to the core).
 */
export const SPOOL_AGE_METRIC = 'SpoolOldestAgeSeconds';

/** Dimension names of the edge metrics. */
export const EDGE_DIMENSIONS = { property: 'PropertyId', core: 'CoreName' } as const;
