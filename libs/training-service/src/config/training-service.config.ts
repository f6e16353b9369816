import { servicePort, Topics } from '@pulse/contracts';
import type { EnvReader } from '@pulse/core';
import { readSharedInfrastructureSettings, type SharedInfrastructureSettings } from '@pulse/nest-common';
import { parseApiTokens, type ApiTokens } from '@pulse/nest-common';

/** The bus and Postgres settings (SharedInfrastructureSettings), then the service's own. */
export interface TrainingServiceConfig extends SharedInfrastructureSettings {
  /** TRAINING_REQUESTS_TOPIC, TRAINING_REQUESTS_DLQ_TOPIC, LIFECYCLE_TOPIC: overridable so tests stay apart. */
  readonly topics: { readonly requests: string; readonly dlq: string; readonly lifecycle: string };
  /**
   * TRAINING_CONSUMER_GROUP, default training-service: its own variable, since the platform hosts every
   * service on one environment and feature-service's group is CONSUMER_GROUP.
   */
  readonly consumerGroup: string;
  /** PULSE_API_TOKENS (`name:token[:role]`, comma-separated); null: mutating endpoints are open. */
  readonly apiTokens: ApiTokens | null;
  /** TRAINING_CONCURRENCY: jobs this copy trains at once, each in its own worker thread (default 1). */
  readonly concurrency: number;
  /**
   * TRAINING_JOB_STALE_MS (default 60000): a running job whose heartbeat is older than this is taken as
   * interrupted (its process died) and queued again; the runner heartbeats several times within it.
   */
  readonly jobStaleMs: number;
  /** TRAINING_MAX_ATTEMPTS (default 2): an interrupted job claimed this often is failed, not queued again. */
  readonly maxAttempts: number;
  /** TRAINING_POLL_MS (default 1000): how often queued jobs are looked for besides on each new request. */
  readonly pollMs: number;
  /** LIFECYCLE_POLL_MS (default 500): how often the registry's lifecycle outbox is published. */
  readonly lifecyclePollMs: number;
  /** PULSE_CODE_VERSION: recorded in each version's lineage (e.g. a commit); default "unknown", as the CLI. */
  readonly codeVersion?: string;
  /** DLQ_RELAY_LEASE_MS (default 5000): see the dead-letter outbox's relay lease. */
  readonly dlqRelayLeaseMs: number;
}

export function loadTrainingServiceConfig(env: EnvReader): TrainingServiceConfig {
  const shared = readSharedInfrastructureSettings(env, {
    httpPort: servicePort('training-service'),
    clientId: 'training-service',
  });
  const jobStaleMs = env.int('TRAINING_JOB_STALE_MS', 60_000, 500, 86_400_000);
  return {
    ...shared,
    topics: {
      requests: env.string('TRAINING_REQUESTS_TOPIC', Topics.trainingRequests),
      dlq: env.string('TRAINING_REQUESTS_DLQ_TOPIC', Topics.trainingRequestsDlq),
      lifecycle: env.string('LIFECYCLE_TOPIC', Topics.modelsLifecycle),
    },
    consumerGroup: env.string('TRAINING_CONSUMER_GROUP', 'training-service'),
    apiTokens: parseApiTokens(env.optionalString('PULSE_API_TOKENS')),
    concurrency: env.int('TRAINING_CONCURRENCY', 1, 1, 64),
    jobStaleMs,
    maxAttempts: env.int('TRAINING_MAX_ATTEMPTS', 2, 1, 100),
    pollMs: env.int('TRAINING_POLL_MS', 1000, 50, 600_000),
    lifecyclePollMs: env.int('LIFECYCLE_POLL_MS', 500, 50, 600_000),
    codeVersion: env.optionalString('PULSE_CODE_VERSION'),
    dlqRelayLeaseMs: env.int('DLQ_RELAY_LEASE_MS', 5000, 200, 600_000),
  };
}
