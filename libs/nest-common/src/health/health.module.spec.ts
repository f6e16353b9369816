import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestDatabase, kafkaTestBrokers, testRedisUrl, type TestDatabase } from '@pulse/testing';
import { MetricsModule } from '../metrics/metrics.module';
import { HealthModule } from './health.module';
import type { HealthModuleOptions } from './health.options';

async function app(options: HealthModuleOptions): Promise<INestApplication> {
  @Module({ imports: [MetricsModule.register({}), HealthModule.register(options)] })
  class AppModule {}
  const nest = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
  await nest.init();
  return nest;
}

function dataSource(url: string): DataSource {
  return new DataSource({ type: 'postgres', url, poolSize: 2, connectTimeoutMS: 500 });
}

/**
 * A TCP relay in front of the real Postgres, so a test can make the database vanish (refuse) or
 * stop answering (black hole) under a connected DataSource.
 */
class Relay {
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  private blackHole = false;
  port = 0;

  async start(targetPort: number): Promise<void> {
    this.server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => s.destroy());
        s.on('close', () => this.sockets.delete(s));
      }
      client.on('data', (d) => this.blackHole || upstream.write(d));
      upstream.on('data', (d) => this.blackHole || client.write(d));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  swallowEverything(): void {
    this.blackHole = true;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

describe('GET /health', () => {
  let db: TestDatabase;
  let pg: DataSource;
  let redis: Redis;
  let kafka: ReturnType<Kafka['admin']>;
  let nest: INestApplication | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    pg = await dataSource(db.url).initialize();
    redis = new Redis(testRedisUrl(), { lazyConnect: true });
    await redis.connect();
    kafka = new Kafka({ brokers: kafkaTestBrokers(), logLevel: logLevel.NOTHING }).admin();
    await kafka.connect();
  });
  afterAll(async () => {
    await kafka?.disconnect();
    redis?.disconnect();
    await pg?.destroy();
    await db?.drop();
  });
  afterEach(async () => {
    await nest?.close();
    nest = undefined;
  });

  it('is up when Postgres, Redis and Kafka all answer', async () => {
    nest = await app({ postgres: pg, redis, kafka: () => kafka.describeCluster() });
    const res = await request(nest.getHttpServer()).get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    expect(Object.keys(res.body.info).sort()).toEqual(['kafka', 'postgres', 'redis']);
    for (const key of ['kafka', 'postgres', 'redis']) {
      expect(res.body.info[key].status).toBe('up');
      expect(res.body.info[key].latencyMs).toBeGreaterThan(0);
    }
  });

  it('serves /metrics next to /health, and /health/live without consulting anything', async () => {
    nest = await app({ postgres: pg });
    const http = request(nest.getHttpServer());
    expect((await http.get('/health/live').expect(200)).body).toEqual({ status: 'ok' });
    await http.get('/health').expect(200);
    const metrics = await http.get('/metrics').expect(200);
    expect(metrics.text).toMatch(
      /^pulse_http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} 1$/m,
    );
  });

  it('takes its targets from DI with registerAsync', async () => {
    const PG = Symbol('PG');
    @Module({ providers: [{ provide: PG, useValue: pg }], exports: [PG] })
    class StorageModule {}
    @Module({
      imports: [
        HealthModule.registerAsync({
          imports: [StorageModule],
          inject: [PG],
          useFactory: (ds: DataSource) => ({ postgres: ds, checks: { consumer: async () => undefined } }),
        }),
      ],
    })
    class AppModule {}
    nest = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
    await nest.init();
    const res = await request(nest.getHttpServer()).get('/health').expect(200);
    expect(Object.keys(res.body.info).sort()).toEqual(['consumer', 'postgres']);
  });

  it('is down, quickly, when the DataSource could not connect to a bad Postgres URL', async () => {
    const bad = dataSource('postgres://postgres@127.0.0.1:1/nothing');
    await expect(bad.initialize()).rejects.toThrow();
    nest = await app({ postgres: bad, redis, timeoutMs: 500 });
    const start = Date.now();
    const res = await request(nest.getHttpServer()).get('/health').expect(503);
    expect(Date.now() - start).toBeLessThan(2000);
    expect(res.body.status).toBe('error');
    expect(res.body.error.postgres).toEqual({ status: 'down', message: 'not connected' });
    expect(res.body.info.redis.status).toBe('up');
  });

  it('is down when a connected Postgres goes away, and names the failure', async () => {
    const relay = new Relay();
    await relay.start(Number(new URL(db.url).port || 5432));
    const url = new URL(db.url);
    url.port = String(relay.port);
    const viaRelay = await dataSource(url.toString()).initialize();
    try {
      nest = await app({ postgres: viaRelay, timeoutMs: 500 });
      await request(nest.getHttpServer()).get('/health').expect(200);
      await relay.stop();
      const res = await request(nest.getHttpServer()).get('/health').expect(503);
      expect(res.body.error.postgres.status).toBe('down');
      expect(res.body.error.postgres.message).toMatch(/ECONNREFUSED|terminated|closed/i);
    } finally {
      await viaRelay.destroy().catch(() => undefined);
    }
  });

  it('is down after the deadline when Postgres stops answering', async () => {
    const relay = new Relay();
    await relay.start(Number(new URL(db.url).port || 5432));
    const url = new URL(db.url);
    url.port = String(relay.port);
    const viaRelay = await dataSource(url.toString()).initialize();
    try {
      nest = await app({ postgres: viaRelay, timeoutMs: 300 });
      relay.swallowEverything();
      const start = Date.now();
      const res = await request(nest.getHttpServer()).get('/health').expect(503);
      expect(Date.now() - start).toBeGreaterThanOrEqual(290);
      expect(Date.now() - start).toBeLessThan(2000);
      expect(res.body.error.postgres).toEqual({ status: 'down', message: 'no answer within 300 ms' });
    } finally {
      await relay.stop();
      await viaRelay.destroy().catch(() => undefined);
    }
  });

  it('is down when Redis is unreachable or Kafka fails its probe, and reports the rest', async () => {
    const deadRedis = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    nest = await app({
      postgres: pg,
      redis: deadRedis,
      kafka: () => Promise.reject(new Error('no brokers reachable')),
      checks: { consumer: async () => undefined },
    });
    const res = await request(nest.getHttpServer()).get('/health').expect(503);
    expect(res.body.info).toEqual({
      postgres: expect.objectContaining({ status: 'up' }),
      consumer: expect.objectContaining({ status: 'up' }),
    });
    expect(res.body.error.redis.status).toBe('down');
    expect(res.body.error.kafka).toEqual({ status: 'down', message: 'no brokers reachable' });
    deadRedis.disconnect();
  });
});
