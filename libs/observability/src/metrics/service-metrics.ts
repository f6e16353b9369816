import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { counter, gauge, histogram } from './metric-factories';

/** Request timings for the HTTP interceptor; `route` is the route pattern, never the raw URL. */
export interface HttpMetrics {
  readonly requestDuration: Histogram<'method' | 'route' | 'status'>;
}

export function createHttpMetrics(registry: Registry): HttpMetrics {
  return {
    requestDuration: histogram(registry, {
      name: 'pulse_http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'],
    }),
  };
}

/** Timings of calls to the shared stores, labelled by operation (append, mget, pipeline, ...). */
export interface StoreMetrics {
  readonly redisOpDuration: Histogram<'op'>;
  readonly postgresOpDuration: Histogram<'op'>;
}

export function createStoreMetrics(registry: Registry): StoreMetrics {
  return {
    redisOpDuration: histogram(registry, {
      name: 'pulse_redis_op_duration_seconds',
      help: 'Duration of Redis round trips by operation',
      labelNames: ['op'],
    }),
    postgresOpDuration: histogram(registry, {
      name: 'pulse_postgres_op_duration_seconds',
      help: 'Duration of Postgres statements by operation',
      labelNames: ['op'],
    }),
  };
}

/** What a stream consumer reports: throughput, rejects, duplicates, batch timing and lag. */
export interface ConsumerMetrics {
  readonly eventsConsumed: Counter<'source'>;
  readonly eventsRejected: Counter<'reason'>;
  readonly eventsDuplicate: Counter<never>;
  readonly batchDuration: Histogram<never>;
  readonly batchSize: Histogram<never>;
  readonly consumerLag: Gauge<'topic' | 'partition'>;
}

export function createConsumerMetrics(registry: Registry): ConsumerMetrics {
  return {
    eventsConsumed: counter(registry, {
      name: 'pulse_events_consumed_total',
      help: 'Valid events taken into the event log and the online state (new ones: duplicates and dead letters are counted apart), by source',
      labelNames: ['source'],
    }),
    eventsRejected: counter(registry, {
      name: 'pulse_events_rejected_total',
      help: 'Events sent to the dead-letter topic, by reason',
      labelNames: ['reason'],
    }),
    eventsDuplicate: counter(registry, {
      name: 'pulse_events_duplicate_total',
      help: 'Valid events skipped because their event_id had been taken before for their entity (redelivery or re-send)',
    }),
    batchDuration: histogram(registry, {
      name: 'pulse_batch_duration_seconds',
      help: 'Time to make one consumed batch durable (decode, event log, online state)',
    }),
    batchSize: histogram(registry, {
      name: 'pulse_batch_size',
      help: 'Messages per consumed batch',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
    }),
    consumerLag: gauge(registry, {
      name: 'pulse_consumer_lag',
      help: 'Messages between the committed offset and the end of the partition',
      labelNames: ['topic', 'partition'],
    }),
  };
}

export type FeatureServiceMetrics = HttpMetrics & StoreMetrics & ConsumerMetrics;

/** Every metric feature-service exports, registered on `registry` (idempotent). */
export function createFeatureServiceMetrics(registry: Registry): FeatureServiceMetrics {
  return { ...createHttpMetrics(registry), ...createStoreMetrics(registry), ...createConsumerMetrics(registry) };
}
