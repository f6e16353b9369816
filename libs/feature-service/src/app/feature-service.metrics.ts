import type { Counter, Registry } from 'prom-client';
import { counter, createFeatureServiceMetrics, type FeatureServiceMetrics } from '@pulse/observability';

/** The library's consumer/store/HTTP metrics plus what only this service measures. */
export interface FsMetrics extends FeatureServiceMetrics {
  readonly httpEventsRejected: Counter<'reason'>;
  readonly featureReads: Counter<'path'>;
  readonly statesRebuilt: Counter;
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
    statesRebuilt: counter(registry, {
      name: 'pulse_states_rebuilt_total',
      help: 'Online states rebuilt from the event log by ingest: entities with history but no state (TTL), or a state written under other feature view definitions',
    }),
  };
}
