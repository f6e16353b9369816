import { servicePort, Topics } from '@pulse/contracts';
import { ConfigError, type EnvReader } from '@pulse/core';
import {
  parseApiTokens,
  readSharedInfrastructureSettings,
  type ApiTokens,
  type SharedInfrastructureSettings,
} from '@pulse/nest-common';

/** The bus, Postgres and Redis settings (SharedInfrastructureSettings), then the service's own. */
export interface ExperimentServiceConfig extends SharedInfrastructureSettings {
  /** EXPOSURES_TOPIC, EXPOSURES_DLQ_TOPIC and EXPERIMENT_CHANGES_TOPIC (defaults experiments.exposures.v1, experiments.exposures.dlq.v1, experiments.changes.v1). */
  readonly topics: { readonly exposures: string; readonly exposuresDlq: string; readonly changes: string };
  /** EXPERIMENT_CONSUMER_GROUP, default experiment-service: the copies share the exposures. */
  readonly consumerGroup: string;
  /** PULSE_API_TOKENS (`name:token[:role]`, comma-separated); null: changes are open to anyone. */
  readonly apiTokens: ApiTokens | null;
  /** EXPOSURES_FORMAT: json (default, readable with kcat) or proto, the encoding of published exposures. */
  readonly exposuresFormat: 'json' | 'proto';
  /** EXPERIMENT_RELAY_POLL_MS (default 500): how often the change outbox is polled besides after a change. */
  readonly relayPollMs: number;
}

/** Reads and validates the configuration once at startup; a wrong variable is named in a ConfigError. */
export function loadExperimentServiceConfig(env: EnvReader): ExperimentServiceConfig {
  const shared = readSharedInfrastructureSettings(env, {
    httpPort: servicePort('experiment-service'),
    clientId: 'experiment-service',
  });
  const format = env.string('EXPOSURES_FORMAT', 'json');
  if (format !== 'json' && format !== 'proto')
    throw new ConfigError('EXPOSURES_FORMAT', `EXPOSURES_FORMAT must be json or proto, got "${format}"`);
  return {
    ...shared,
    topics: {
      exposures: env.string('EXPOSURES_TOPIC', Topics.experimentsExposures),
      exposuresDlq: env.string('EXPOSURES_DLQ_TOPIC', Topics.experimentsExposuresDlq),
      changes: env.string('EXPERIMENT_CHANGES_TOPIC', Topics.experimentsChanges),
    },
    consumerGroup: env.string('EXPERIMENT_CONSUMER_GROUP', 'experiment-service'),
    apiTokens: parseApiTokens(env.optionalString('PULSE_API_TOKENS')),
    exposuresFormat: format,
    relayPollMs: env.int('EXPERIMENT_RELAY_POLL_MS', 500, 10, 60_000),
  };
}
