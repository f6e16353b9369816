import type { Counter, Histogram, Registry } from 'prom-client';
import { counter, createFeatureServiceMetrics, histogram, type FeatureServiceMetrics } from '@pulse/observability';

/** The library's consumer/store/HTTP metrics plus what only this service measures. */
export interface FsMetrics extends FeatureServiceMetrics {
  readonly httpEventsRejected: Counter<'reason'>;
  readonly featureReads: Counter<'path'>;
  readonly statesRebuilt: Counter;
  /** Per entity read: the as-of time minus the newest event the answer covers (entities without events left out). */
  readonly featureStaleness: Histogram;
}

export function createFsMetrics(registry: Registry): FsMetrics {
  return {
    ...createFeatureServiceMetrics(registry),
    httpEventsRejected: counter(registry, {
      name: 'pulse_http_events_rejected_total',
      help: 'Events refused by POST /v1/events (reported to the caller, not dead-lettered), by reason',
      labelNames: ['reason'],
    }),
    featureReads: counter(registry, {
      name: 'pulse_feature_reads_total',
      help: 'Entity feature reads by path: online state, or offline replay of the event log',
      labelNames: ['path'],
    }),
    featureStaleness: histogram(registry, {
      name: 'pulse_feature_staleness_seconds',
      help: 'How old the newest event behind each feature read is at its as-of time (per entity read)',
      buckets: [1, 10, 60, 300, 900, 3600, 4 * 3600, 86_400, 3 * 86_400, 7 * 86_400, 30 * 86_400],
    }),
    statesRebuilt: counter(registry, {
      name: 'pulse_states_rebuilt_total',
      help: 'Online states rebuilt from the event log by ingest: entities with history but no state (TTL), or a state written under other feature view definitions',
    }),
  };
}
