import { servicePort, Topics } from '@pulse/contracts';
import { ConfigError, type EnvReader } from '@pulse/core';
import { DEFAULT_MODELS } from '@pulse/models';
import { readSharedInfrastructureSettings, type SharedInfrastructureSettings } from '@pulse/nest-common';

/** The bus, Postgres and Redis settings (SharedInfrastructureSettings), then the service's own. */
export interface InferenceServiceConfig extends SharedInfrastructureSettings {
  /**
   * ENGAGEMENT_TOPIC (the trigger events, default engagement.events.v1), LIFECYCLE_TOPIC, and
   * PREDICTIONS_TOPIC_PREFIX (default "predictions.": a model's predictions go to `<prefix><model>.v1`):
   * overridable so tests stay apart.
   */
  readonly topics: {
    readonly events: string;
    readonly lifecycle: string;
    readonly predictionsPrefix: string;
    /** EXPERIMENT_CHANGES_TOPIC (default experiments.changes.v1): the model experiments that route triggers. */
    readonly experimentChanges: string;
    /** EXPOSURES_TOPIC (default experiments.exposures.v1): where a routed trigger's exposure goes. */
    readonly exposures: string;
  };
  /** INFERENCE_CONSUMER_GROUP, default inference-service: the copies share the trigger events. */
  readonly consumerGroup: string;
  /** INFERENCE_MODELS: the model specs served (comma-separated), default every declared one. */
  readonly models: readonly string[];
  /**
   * INFERENCE_FEATURE_WAIT_MS (default 5000): how long a trigger waits for feature-service to fold it
   * into the entity's online state before it is scored on what is there (counted as a timeout).
   */
  readonly featureWaitMs: number;
  /**
   * INFERENCE_TOP_FACTORS: TreeSHAP factors carried by each prediction, per model — a number for every
   * model, or `model:k` pairs (e.g. `lesson_completion:3`); default 0 (off). An explanation costs
   * about ten times the scoring (~0.2 ms a row, more on large models), so it is off unless asked;
   * an HTTP request may ask for its own with `?explain=k` (at most 20).
   */
  readonly topFactors: Readonly<Record<string, number>>;
  /** INFERENCE_BATCH_MAX (default 10000): rows of one POST /v1/predict/{model}/batch. */
  readonly batchMax: number;
  /** INFERENCE_STATE_CACHE_ENTRIES (default 20000): decoded entity states (and evaluated views) kept by version. */
  readonly stateCacheEntries: number;
  /** INFERENCE_MAX_BATCH_SIZE (default 500): trigger events per handler call. */
  readonly maxBatchSize: number;
  /** INFERENCE_CONCURRENCY (default 64): triggers of one batch scored at once (one entity's in order). */
  readonly concurrency: number;
  /**
   * INFERENCE_FROM_BEGINNING (default false): where a new consumer group starts on the events topic —
   * the oldest event (predict the whole history) or new events only.
   */
  readonly fromBeginning: boolean;
  /** PREDICTIONS_FORMAT: json (default; readable with kcat) or proto, the encoding of published predictions. */
  readonly predictionsFormat: 'json' | 'proto';
  /** MAX_FUTURE_SKEW_MS, as feature-service: an event further in the future is not valid, so no trigger. */
  readonly maxFutureSkewMs: number;
}

/** Reads and validates the configuration once at startup; a wrong variable is named in a ConfigError. */
export function loadInferenceServiceConfig(env: EnvReader): InferenceServiceConfig {
  const shared = readSharedInfrastructureSettings(env, {
    httpPort: servicePort('inference-service'),
    clientId: 'inference-service',
  });
  const known = Object.keys(DEFAULT_MODELS);
  const models = env.list('INFERENCE_MODELS', known);
  for (const m of models)
    if (!known.includes(m))
      throw new ConfigError(
        'INFERENCE_MODELS',
        `INFERENCE_MODELS names "${m}", not a declared model (${known.join(', ')})`,
      );
  if (models.length === 0) throw new ConfigError('INFERENCE_MODELS', 'INFERENCE_MODELS names no model');
  const prefix = env.string('PREDICTIONS_TOPIC_PREFIX', 'predictions.');
  if (!/^[a-zA-Z0-9._-]*$/.test(prefix))
    throw new ConfigError(
      'PREDICTIONS_TOPIC_PREFIX',
      `PREDICTIONS_TOPIC_PREFIX "${prefix}" is not a topic name prefix`,
    );
  return {
    ...shared,
    topics: {
      events: env.string('ENGAGEMENT_TOPIC', Topics.engagementEvents),
      lifecycle: env.string('LIFECYCLE_TOPIC', Topics.modelsLifecycle),
      predictionsPrefix: prefix,
      experimentChanges: env.string('EXPERIMENT_CHANGES_TOPIC', Topics.experimentsChanges),
      exposures: env.string('EXPOSURES_TOPIC', Topics.experimentsExposures),
    },
    consumerGroup: env.string('INFERENCE_CONSUMER_GROUP', 'inference-service'),
    models: [...new Set(models)],
    featureWaitMs: env.int('INFERENCE_FEATURE_WAIT_MS', 5000, 0, 600_000),
    topFactors: topFactors(env.optionalString('INFERENCE_TOP_FACTORS'), models),
    batchMax: env.int('INFERENCE_BATCH_MAX', 10_000, 1, 100_000),
    maxBatchSize: env.int('INFERENCE_MAX_BATCH_SIZE', 500, 1, 10_000),
    stateCacheEntries: env.int('INFERENCE_STATE_CACHE_ENTRIES', 20_000, 0, 10_000_000),
    concurrency: env.int('INFERENCE_CONCURRENCY', 64, 1, 4096),
    fromBeginning: env.bool('INFERENCE_FROM_BEGINNING', false),
    maxFutureSkewMs: env.int('MAX_FUTURE_SKEW_MS', 300_000, 0),
    predictionsFormat: format(env.string('PREDICTIONS_FORMAT', 'json')),
  };
}

/** The topic a model's predictions go to. */
export function predictionsTopic(config: InferenceServiceConfig, model: string): string {
  return `${config.topics.predictionsPrefix}${model}.v1`;
}

function format(value: string): 'json' | 'proto' {
  if (value !== 'json' && value !== 'proto')
    throw new ConfigError('PREDICTIONS_FORMAT', `PREDICTIONS_FORMAT must be json or proto, got "${value}"`);
  return value;
}

function topFactors(raw: string | undefined, models: readonly string[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(models.map((m) => [m, 0]));
  if (raw === undefined || raw.trim() === '') return out;
  const bad = (why: string): never => {
    throw new ConfigError('INFERENCE_TOP_FACTORS', `INFERENCE_TOP_FACTORS ${why} (a number 0..20, or model:k pairs)`);
  };
  const count = (v: string) => (/^\d{1,2}$/.test(v) && Number(v) <= 20 ? Number(v) : bad(`has "${v}"`));
  if (!raw.includes(':')) {
    const k = count(raw.trim());
    for (const m of models) out[m] = k;
    return out;
  }
  for (const pair of raw.split(',')) {
    const [model, k] = pair.split(':').map((x) => x.trim());
    if (!models.includes(model)) bad(`names "${model}", not a served model`);
    out[model] = count(k ?? '');
  }
  return out;
}
