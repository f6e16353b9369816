import type { INestApplication } from '@nestjs/common';
import { createBus, type BusMessage, type MessageBus, type Subscription } from '@pulse/bus';
import { createExperimentServiceApp, loadExperimentServiceConfig } from '@pulse/experiment-service';
import { loadConfig } from '@pulse/nest-common';
import { initStorage, type Storage } from '@pulse/storage';
import { createTestDatabase, kafkaTestBusOptions, randomName, type TestDatabase } from '@pulse/testing';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';

export const ADMIN_TOKEN = 'admin-token-for-eva';
export const READ_TOKEN = 'read-token-for-ci';

/**
 * experiment-service on real infrastructure for one test file: the Kafka mock cluster (its own topics
 * and group), a throwaway Postgres database, readers collecting the changes, exposures and DLQ topics.
 */
export class ExperimentServiceHarness {
  readonly topics = {
    exposures: randomName('exposures'),
    exposuresDlq: randomName('exposures-dlq'),
    changes: randomName('experiment-changes'),
  };
  readonly group = randomName('experiment-service');
  readonly bus: MessageBus = createBus({
    brokers: kafkaTestBusOptions().brokers,
    kafka: { ...kafkaTestBusOptions(), clientId: 'experiment-e2e' },
  });
  readonly seen: Record<'exposures' | 'exposuresDlq' | 'changes', BusMessage[]> = {
    exposures: [],
    exposuresDlq: [],
    changes: [],
  };
  storage!: Storage;
  db?: TestDatabase;
  private readonly subscriptions: Subscription[] = [];
  private readonly apps: INestApplication[] = [];

  async setUp(): Promise<void> {
    this.db = await createTestDatabase('pulse_xs_e2e');
    this.storage = await initStorage({ url: this.db.url, poolSize: 4 });
    await this.bus.connectPublisher();
    for (const name of ['exposures', 'exposuresDlq', 'changes'] as const)
      this.subscriptions.push(
        await this.bus.subscribe({
          groupId: randomName('reader'),
          topics: [this.topics[name]],
          fromBeginning: true,
          handler: async (batch) => void this.seen[name].push(...batch),
        }),
      );
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    const kafka = kafkaTestBusOptions();
    return {
      PORT: '0',
      KAFKA_BROKERS: kafka.brokers.join(','),
      KAFKA_IDEMPOTENT: 'false',
      KAFKA_SESSION_TIMEOUT_MS: String(kafka.sessionTimeoutMs),
      KAFKA_HEARTBEAT_INTERVAL_MS: String(kafka.heartbeatIntervalMs),
      KAFKA_MAX_WAIT_MS: String(kafka.maxWaitTimeMs),
      DATABASE_URL: this.db!.url,
      EXPOSURES_TOPIC: this.topics.exposures,
      EXPOSURES_DLQ_TOPIC: this.topics.exposuresDlq,
      EXPERIMENT_CHANGES_TOPIC: this.topics.changes,
      EXPERIMENT_CONSUMER_GROUP: this.group,
      EXPERIMENT_RELAY_POLL_MS: '100',
      PULSE_API_TOKENS: `eva:${ADMIN_TOKEN},ci:${READ_TOKEN}:read`,
      ...extra,
    };
  }

  async start(): Promise<{ app: INestApplication; url: string; registry: Registry }> {
    const registry = new Registry();
    const config = loadConfig({ load: loadExperimentServiceConfig, env: this.env() });
    const app = await createExperimentServiceApp(config, { registry, logger: false });
    await app.listen(0, '127.0.0.1');
    this.apps.push(app);
    const { port } = app.getHttpServer().address() as AddressInfo;
    return { app, url: `http://127.0.0.1:${port}`, registry };
  }

  async tearDown(): Promise<void> {
    for (const app of this.apps) await app.close().catch(() => undefined);
    for (const s of this.subscriptions) await s.stop().catch(() => undefined);
    await this.bus.close().catch(() => undefined);
    await this.storage?.close().catch(() => undefined);
    await this.db?.drop();
  }
}
