import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { counter, gauge, histogram } from '@pulse/observability';

/** What inference-service exports besides the HTTP and process metrics (deploy/grafana/dashboards/inference.json). */
export interface InferenceServiceMetrics {
  /** path: kafka, http, batch; fallback: "true" when the rule answered. */
  readonly predictions: Counter<'model' | 'alias' | 'path' | 'fallback'>;
  /** Trigger received (or request parsed) to prediction ready. */
  readonly latency: Histogram<'model' | 'path'>;
  /** Trigger event received to its predictions published (the Kafka path end to end in this service). */
  readonly publishLatency: Histogram<'model'>;
  readonly fallbacks: Counter<'model' | 'reason'>;
  /** Scores of the acted-on predictions (binary: P(positive); multiclass: the label's probability). */
  readonly scores: Histogram<'model'>;
  /** outcome: loaded, refused (check names the failed one; "none" when loaded). */
  readonly modelLoads: Counter<'model' | 'alias' | 'outcome' | 'check'>;
  /** The version each alias serves now (absent: nothing serves it). */
  readonly servingVersion: Gauge<'model' | 'alias'>;
  /** Time a trigger waited for feature-service to fold it into the entity's online state. */
  readonly featureWait: Histogram<'model'>;
  readonly featureWaitTimeouts: Counter<'model'>;
  /** Feature rows read online (the entity's state) or replayed offline from the event log. */
  readonly featureReads: Counter<'path'>;
  /** Trigger events consumed (each gets its predictions) and records that are not events. */
  readonly triggers: Counter<'model'>;
  readonly undecodable: Counter;
  readonly consumerLag: Gauge<'topic' | 'partition'>;
}

// Single predictions take a few ms; the Kafka path waits for feature-service's fold as well.
const SECONDS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];
const SCORES = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1];

export function createInferenceServiceMetrics(registry: Registry): InferenceServiceMetrics {
  return {
    predictions: counter(registry, {
      name: 'pulse_inference_predictions_total',
      help: 'Predictions made, by model, alias, path (kafka, http, batch) and whether the rule-based fallback answered',
      labelNames: ['model', 'alias', 'path', 'fallback'],
    }),
    latency: histogram(registry, {
      name: 'pulse_inference_latency_seconds',
      help: 'Time from trigger received (or request parsed) to prediction ready, by model and path',
      labelNames: ['model', 'path'],
      buckets: SECONDS,
    }),
    publishLatency: histogram(registry, {
      name: 'pulse_inference_publish_latency_seconds',
      help: 'Time from trigger event received to its predictions published, by model',
      labelNames: ['model'],
      buckets: SECONDS,
    }),
    fallbacks: counter(registry, {
      name: 'pulse_inference_fallbacks_total',
      help: 'Predictions answered by the rule-based fallback, by model and reason',
      labelNames: ['model', 'reason'],
    }),
    scores: histogram(registry, {
      name: 'pulse_inference_score',
      help: 'Scores of the predictions acted on, by model',
      labelNames: ['model'],
      buckets: SCORES,
    }),
    modelLoads: counter(registry, {
      name: 'pulse_inference_model_loads_total',
      help: 'Model versions loaded or refused, by model, alias, outcome and the failed check',
      labelNames: ['model', 'alias', 'outcome', 'check'],
    }),
    servingVersion: gauge(registry, {
      name: 'pulse_inference_serving_version',
      help: 'The registry version each alias serves now, by model and alias',
      labelNames: ['model', 'alias'],
    }),
    featureWait: histogram(registry, {
      name: 'pulse_inference_feature_wait_seconds',
      help: "Time a trigger waited for the entity's online state to include it, by model",
      labelNames: ['model'],
      buckets: SECONDS,
    }),
    featureWaitTimeouts: counter(registry, {
      name: 'pulse_inference_feature_wait_timeouts_total',
      help: 'Triggers scored without their online state having caught up within INFERENCE_FEATURE_WAIT_MS',
      labelNames: ['model'],
    }),
    featureReads: counter(registry, {
      name: 'pulse_inference_feature_reads_total',
      help: 'Feature rows read online (entity state) or offline (event log replay)',
      labelNames: ['path'],
    }),
    triggers: counter(registry, {
      name: 'pulse_inference_triggers_total',
      help: 'Trigger events consumed, by model',
      labelNames: ['model'],
    }),
    undecodable: counter(registry, {
      name: 'pulse_inference_undecodable_events_total',
      help: 'Records on the events topic that are not valid events (feature-service dead-letters them)',
    }),
    consumerLag: gauge(registry, {
      // The platform-wide series (every consuming service exports it; Prometheus's job tells them apart).
      name: 'pulse_consumer_lag',
      help: 'Messages between the committed offset and the end of the partition',
      labelNames: ['topic', 'partition'],
    }),
  };
}
