import type { Counter, Gauge, Registry } from 'prom-client';
import { counter, gauge } from '@pulse/observability';

/** What monitoring-service exports besides the HTTP and process metrics (deploy/grafana/dashboards/models.json). */
export interface MonitoringServiceMetrics {
  /** Drift of a feature (or "__score__") in the newest closed window; metric: psi, js, ks, wasserstein, chi2. */
  readonly drift: Gauge<'model' | 'version' | 'feature' | 'metric' | 'window'>;
  /** AUC of the newest closed window; kind: realised (matured labels), estimated (CBPE), training. */
  readonly auc: Gauge<'model' | 'version' | 'window' | 'kind'>;
  /** Fairness gap of the newest closed window; metric: demographic_parity, equalized_odds. */
  readonly fairnessGap: Gauge<'model' | 'version' | 'window' | 'attribute' | 'metric'>;
  /** Acted-on predictions recorded (each once). */
  readonly predictions: Counter<'model' | 'version'>;
  /** Labels matured, by model and label (0, 1). */
  readonly labels: Counter<'model' | 'label'>;
  /** Alert transitions (fired, resolved). */
  readonly alerts: Counter<'rule' | 'model' | 'transition'>;
  /** 1 while the alert fires. */
  readonly alertsFiring: Gauge<'rule' | 'model'>;
  readonly trainingRequests: Counter<'model' | 'rule'>;
  readonly consumerLag: Gauge<'topic' | 'partition'>;
}

export function createMonitoringServiceMetrics(registry: Registry): MonitoringServiceMetrics {
  return {
    drift: gauge(registry, {
      name: 'pulse_monitoring_drift',
      help: 'Drift of a feature (or __score__) against the serving version’s reference in the newest closed window',
      labelNames: ['model', 'version', 'feature', 'metric', 'window'],
    }),
    auc: gauge(registry, {
      name: 'pulse_monitoring_auc',
      help: 'AUC of the newest closed window: realised (matured labels), estimated (CBPE) and the version’s training AUC',
      labelNames: ['model', 'version', 'window', 'kind'],
    }),
    fairnessGap: gauge(registry, {
      name: 'pulse_monitoring_fairness_gap',
      help: 'Fairness gap (demographic parity, equalized odds) per attribute in the newest closed window',
      labelNames: ['model', 'version', 'window', 'attribute', 'metric'],
    }),
    predictions: counter(registry, {
      name: 'pulse_monitoring_predictions_total',
      help: 'Acted-on predictions recorded by monitoring (each once)',
      labelNames: ['model', 'version'],
    }),
    labels: counter(registry, {
      name: 'pulse_monitoring_labels_total',
      help: 'Labels matured and joined to their predictions, by label',
      labelNames: ['model', 'label'],
    }),
    alerts: counter(registry, {
      name: 'pulse_monitoring_alerts_total',
      help: 'Alert transitions (fired, resolved) by rule and model',
      labelNames: ['rule', 'model', 'transition'],
    }),
    alertsFiring: gauge(registry, {
      name: 'pulse_monitoring_alerts_firing',
      help: '1 while an alert of the rule fires for the model',
      labelNames: ['rule', 'model'],
    }),
    trainingRequests: counter(registry, {
      name: 'pulse_monitoring_training_requests_total',
      help: 'Retraining requests published for drift and quality alerts',
      labelNames: ['model', 'rule'],
    }),
    consumerLag: gauge(registry, {
      name: 'pulse_monitoring_consumer_lag',
      help: 'Records not yet consumed by monitoring-service, per topic and partition',
      labelNames: ['topic', 'partition'],
    }),
  };
}
