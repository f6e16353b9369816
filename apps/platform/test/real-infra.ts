import Redis from 'ioredis';
import { kafkaTestBusOptions, randomName, testRedisUrl } from '@pulse/testing';

// The platform on real infrastructure in a spec: the Kafka mock cluster, a throwaway database and a
// random Redis key prefix, with topic and group names of the spec's own.

/** The variables that point every hosted service at them, every topic and consumer group named anew. */
export function realInfraEnv(databaseUrl: string, redisPrefix: string): Record<string, string> {
  const kafka = kafkaTestBusOptions();
  return {
    KAFKA_BROKERS: kafka.brokers.join(','),
    KAFKA_IDEMPOTENT: 'false',
    KAFKA_SESSION_TIMEOUT_MS: String(kafka.sessionTimeoutMs),
    KAFKA_HEARTBEAT_INTERVAL_MS: String(kafka.heartbeatIntervalMs),
    KAFKA_MAX_WAIT_MS: String(kafka.maxWaitTimeMs),
    DATABASE_URL: databaseUrl,
    REDIS_URL: testRedisUrl(),
    REDIS_KEY_PREFIX: redisPrefix,
    ENGAGEMENT_TOPIC: randomName('engagement'),
    DLQ_TOPIC: randomName('dlq'),
    CONSUMER_GROUP: randomName('feature-service'),
    TRAINING_REQUESTS_TOPIC: randomName('training-requests'),
    TRAINING_REQUESTS_DLQ_TOPIC: randomName('training-dlq'),
    LIFECYCLE_TOPIC: randomName('lifecycle'),
    TRAINING_CONSUMER_GROUP: randomName('training-service'),
    INFERENCE_CONSUMER_GROUP: randomName('inference-service'),
    PREDICTIONS_TOPIC_PREFIX: `${randomName('predictions')}.`,
    EXPERIMENT_CHANGES_TOPIC: randomName('experiment-changes'),
    EXPERIMENT_CONSUMER_GROUP: randomName('experiment-service'),
    EXPOSURES_TOPIC: randomName('exposures'),
    EXPOSURES_DLQ_TOPIC: randomName('exposures-dlq'),
    MONITORING_ALERTS_TOPIC: randomName('alerts'),
    MONITORING_CONSUMER_GROUP: randomName('monitoring-service'),
  };
}

/** Deletes the spec's Redis keys. */
export async function dropRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(testRedisUrl());
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
