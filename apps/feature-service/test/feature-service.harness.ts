import type { INestApplication } from '@nestjs/common';
import { createBus, type BusMessage, type MessageBus, type Subscription } from '@pulse/bus';
import type { FeatureRegistry } from '@pulse/features';
import { loadConfig } from '@pulse/nest-common';
import {
  createTestDatabase,
  kafkaTestBusOptions,
  randomName,
  randomRedisPrefix,
  testRedisUrl,
  type TestDatabase,
} from '@pulse/testing';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { createFeatureServiceApp, loadFeatureServiceConfig, type FeatureServiceConfig } from '@pulse/feature-service';

/**
 * A feature service on real infrastructure for one test file: the Kafka mock cluster (random topics
 * and group), a throwaway Postgres database and a random Redis key prefix.
 */
export class FeatureServiceHarness {
  readonly topics = { events: randomName('engagement'), dlq: randomName('dlq') };
  readonly group = randomName('feature-service');
  readonly redisPrefix = randomRedisPrefix('fs-e2e');
  readonly bus: MessageBus = createBus({
    brokers: kafkaTestBusOptions().brokers,
    kafka: { ...kafkaTestBusOptions(), clientId: 'e2e-test' },
  });
  readonly dlqMessages: BusMessage[] = [];
  private db?: TestDatabase;
  private dlqSubscription?: Subscription;
  private apps: INestApplication[] = [];

  async setUp(): Promise<void> {
    this.db = await createTestDatabase('pulse_fs_e2e');
    this.dlqSubscription = await this.bus.subscribe({
      groupId: randomName('dlq-reader'),
      topics: [this.topics.dlq],
      fromBeginning: true,
      handler: async (batch) => void this.dlqMessages.push(...batch),
    });
  }

  config(): FeatureServiceConfig {
    const kafka = kafkaTestBusOptions();
    return loadConfig({
      load: loadFeatureServiceConfig,
      env: {
        PORT: '0',
        KAFKA_BROKERS: kafka.brokers.join(','),
        KAFKA_IDEMPOTENT: 'false',
        KAFKA_SESSION_TIMEOUT_MS: String(kafka.sessionTimeoutMs),
        KAFKA_HEARTBEAT_INTERVAL_MS: String(kafka.heartbeatIntervalMs),
        KAFKA_MAX_WAIT_MS: String(kafka.maxWaitTimeMs),
        DATABASE_URL: this.db!.url,
        REDIS_URL: testRedisUrl(),
        REDIS_KEY_PREFIX: this.redisPrefix,
        ENGAGEMENT_TOPIC: this.topics.events,
        DLQ_TOPIC: this.topics.dlq,
        CONSUMER_GROUP: this.group,
        MAX_BATCH_SIZE: '250',
        SIMULATOR: 'false',
      },
    });
  }

  /** Starts a service instance (with the given feature views, default the service's); returns it with its base URL and metrics registry. */
  async start(
    options: { featureRegistry?: FeatureRegistry } = {},
  ): Promise<{ app: INestApplication; url: string; registry: Registry }> {
    const registry = new Registry();
    const app = await createFeatureServiceApp(this.config(), { registry, logger: false, ...options });
    await app.listen(0, '127.0.0.1');
    this.apps.push(app);
    const { port } = app.getHttpServer().address() as AddressInfo;
    return { app, url: `http://127.0.0.1:${port}`, registry };
  }

  async tearDown(): Promise<void> {
    for (const app of this.apps) await app.close().catch(() => undefined);
    await this.dlqSubscription?.stop().catch(() => undefined);
    await this.bus.close().catch(() => undefined);
    const redis = new Redis(testRedisUrl());
    try {
      const keys = await redis.keys(`${this.redisPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    await this.db?.drop();
  }
}

export async function metricValue(registry: Registry, name: string): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

export async function postJson(url: string, payload: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  return { status: res.status, body: await res.json() };
}

export interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/**
 * One HTTP request exactly as given: the path is sent as it is (fetch would resolve `..` and re-encode
 * it), any headers (none added but content-length when there is a body), any body bytes.
 */
export function rawRequest(
  url: string,
  options: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const { method, path, body } = options;
  const headers = {
    ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
