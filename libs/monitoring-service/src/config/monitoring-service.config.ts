import { servicePort, Topics } from '@pulse/contracts';
import { ConfigError, type EnvReader } from '@pulse/core';
import { DEFAULT_MODELS } from '@pulse/models';
import { DEFAULT_ALERT_RULE_OPTIONS, parseWindowSize, type AlertRuleOptions } from '@pulse/monitoring';
import { readSharedInfrastructureSettings, type SharedInfrastructureSettings } from '@pulse/nest-common';

/** The bus and Postgres settings (SharedInfrastructureSettings), then the service's own. */
export interface MonitoringServiceConfig extends SharedInfrastructureSettings {
  /**
   * PREDICTIONS_TOPIC_PREFIX (default "predictions."), ENGAGEMENT_TOPIC, MONITORING_ALERTS_TOPIC
   * (default monitoring.alerts.v1) and TRAINING_REQUESTS_TOPIC (default training.requests.v1).
   */
  readonly topics: {
    readonly predictionsPrefix: string;
    readonly events: string;
    readonly alerts: string;
    readonly trainingRequests: string;
  };
  /** MONITORING_CONSUMER_GROUP, default monitoring-service (the copies share the work). */
  readonly consumerGroup: string;
  /** MONITORING_MODELS: the models watched (comma-separated), default every declared one. */
  readonly models: readonly string[];
  /** MONITORING_WINDOWS: tumbling event-time window sizes, default "1h,1d". */
  readonly windowsMs: readonly number[];
  /**
   * MONITORING_LABEL_LATENESS_MS (default 60000): how far behind the newest outcome event a label's
   * horizon must be before it is final — room for events arriving out of order.
   */
  readonly labelLatenessMs: number;
  /**
   * MONITORING_IDLE_PARTITION_MS (default 60000): an events partition whose watermark has not moved
   * for this long no longer holds labels back (an idle partition would otherwise stop them all).
   */
  readonly idlePartitionMs: number;
  /** MONITORING_EVALUATE_MS (default 5000): how often windows are evaluated and labels matured. */
  readonly evaluateMs: number;
  /** MONITORING_ALERT_COOLDOWN_MS (default 6 h): after an alert resolves, no new firing of it before this. */
  readonly alertCooldownMs: number;
  /** MONITORING_RETRAIN (default true): drift and quality alerts publish a training request. */
  readonly retrain: boolean;
  /**
   * MONITORING_RETRAIN_AFTER_MS (default 0): data to collect after the alerting window before the
   * retraining runs — the request's trainUntil is the window's end plus this, and training-service
   * waits until the event log holds it (labels after a change take the label horizon to mature).
   * 0: train at once on everything logged.
   */
  readonly retrainAfterMs: number;
  /**
   * MONITORING_RETRAIN_COOLDOWN_MS (default 24 h): after asking to retrain a model, monitoring asks
   * again only this long after — one change sets off drift, estimate, quality and fairness alerts
   * together, and one retraining answers them all. The alerts in between say retrainingRequested: false.
   */
  readonly retrainCooldownMs: number;
  /**
   * MONITORING_RETRAIN_WINDOW_MS (default 0): when > 0, a retraining request asks for the examples of
   * this span before its trainUntil only (trainFromMs) — with MONITORING_RETRAIN_AFTER_MS, the data
   * since the change that alerted, so the new version learns the world as it is now. 0: all history.
   */
  readonly retrainWindowMs: number;
  /**
   * Alert thresholds: MONITORING_DRIFT_MIN_FEATURES (3), MONITORING_AUC_DROP (0.1),
   * MONITORING_MIN_LABELLED (200), MONITORING_MIN_PREDICTIONS (200), MONITORING_FAIRNESS_MAX (0.1),
   * MONITORING_FALLBACK_SHARE_MAX (0.05), MONITORING_HYSTERESIS (0.2).
   */
  readonly rules: AlertRuleOptions;
}

function fraction(env: EnvReader, name: string, fallback: number): number {
  const raw = env.optionalString(name);
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!(value >= 0 && value <= 1)) throw new ConfigError(name, `${name} must be a number in [0, 1], got "${raw}"`);
  return value;
}

/** Reads and validates the configuration once at startup; a wrong variable is named in a ConfigError. */
export function loadMonitoringServiceConfig(env: EnvReader): MonitoringServiceConfig {
  const shared = readSharedInfrastructureSettings(env, {
    httpPort: servicePort('monitoring-service'),
    clientId: 'monitoring-service',
  });
  const known = Object.keys(DEFAULT_MODELS);
  const models = env.list('MONITORING_MODELS', known);
  for (const m of models)
    if (!known.includes(m))
      throw new ConfigError(
        'MONITORING_MODELS',
        `MONITORING_MODELS names "${m}", not a declared model (${known.join(', ')})`,
      );
  const windows = env.list('MONITORING_WINDOWS', ['1h', '1d']).map((w) => {
    try {
      return parseWindowSize(w, 'MONITORING_WINDOWS');
    } catch (err) {
      throw new ConfigError('MONITORING_WINDOWS', (err as Error).message);
    }
  });
  if (windows.length === 0) throw new ConfigError('MONITORING_WINDOWS', 'MONITORING_WINDOWS names no window size');
  const d = DEFAULT_ALERT_RULE_OPTIONS;
  return {
    ...shared,
    topics: {
      predictionsPrefix: env.string('PREDICTIONS_TOPIC_PREFIX', 'predictions.'),
      events: env.string('ENGAGEMENT_TOPIC', Topics.engagementEvents),
      alerts: env.string('MONITORING_ALERTS_TOPIC', Topics.monitoringAlerts),
      trainingRequests: env.string('TRAINING_REQUESTS_TOPIC', Topics.trainingRequests),
    },
    consumerGroup: env.string('MONITORING_CONSUMER_GROUP', 'monitoring-service'),
    models: [...new Set(models)],
    windowsMs: [...new Set(windows)].sort((a, b) => a - b),
    labelLatenessMs: env.int('MONITORING_LABEL_LATENESS_MS', 60_000, 0, 7 * 86_400_000),
    idlePartitionMs: env.int('MONITORING_IDLE_PARTITION_MS', 60_000, 100, 86_400_000),
    evaluateMs: env.int('MONITORING_EVALUATE_MS', 5000, 50, 3_600_000),
    alertCooldownMs: env.int('MONITORING_ALERT_COOLDOWN_MS', 6 * 3_600_000, 0, 30 * 86_400_000),
    retrain: env.bool('MONITORING_RETRAIN', true),
    retrainAfterMs: env.int('MONITORING_RETRAIN_AFTER_MS', 0, 0, 90 * 86_400_000),
    retrainWindowMs: env.int('MONITORING_RETRAIN_WINDOW_MS', 0, 0, 3650 * 86_400_000),
    retrainCooldownMs: env.int('MONITORING_RETRAIN_COOLDOWN_MS', 86_400_000, 0, 90 * 86_400_000),
    rules: {
      driftMinFeatures: env.int('MONITORING_DRIFT_MIN_FEATURES', d.driftMinFeatures, 1, 10_000),
      aucDropRatio: fraction(env, 'MONITORING_AUC_DROP', d.aucDropRatio),
      minLabelledRows: env.int('MONITORING_MIN_LABELLED', d.minLabelledRows, 1, 10_000_000),
      minPredictions: env.int('MONITORING_MIN_PREDICTIONS', d.minPredictions, 1, 10_000_000),
      fairnessMax: fraction(env, 'MONITORING_FAIRNESS_MAX', d.fairnessMax),
      fallbackShareMax: fraction(env, 'MONITORING_FALLBACK_SHARE_MAX', d.fallbackShareMax),
      hysteresis: fraction(env, 'MONITORING_HYSTERESIS', d.hysteresis),
    },
  };
}

/** The topic a model's predictions are read from. */
export function predictionsTopicOf(config: MonitoringServiceConfig, model: string): string {
  return `${config.topics.predictionsPrefix}${model}.v1`;
}
