import { ConfigError, ConnectionError, PulseError } from '@pulse/core';
import { kafkaTestBusOptions, randomName, waitFor } from '@pulse/testing';
import { describeBusConformance } from '../../test/bus-conformance';
import type { BusMessage } from '../bus.types';
import type { BusLogger } from '../bus-logger';
import { KafkaBus } from './kafka-bus';
import type { KafkaSubscription } from './kafka-subscription';
import { toPulseError } from './kafka-support';

// kafkajs reports rebalances as warnings; keep them out of the test output.
const logger: BusLogger = { log: () => undefined };

describeBusConformance('kafka (mock cluster)', () => new KafkaBus({ ...kafkaTestBusOptions(), logger }), {
  timeoutMs: 20_000,
});

describe('KafkaBus specifics', () => {
  const buses: KafkaBus[] = [];
  const make = (extra: Partial<ConstructorParameters<typeof KafkaBus>[0]> = {}) => {
    const bus = new KafkaBus({ ...kafkaTestBusOptions(), logger, ...extra });
    buses.push(bus);
    return bus;
  };
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
  });

  async function highWatermarkSum(bus: KafkaBus, topic: string): Promise<number> {
    const admin = bus.kafka.admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
    } finally {
      await admin.disconnect();
    }
  }

  it('makes concurrent and oversized publishes durable (coalesced, then split by the batching limits)', async () => {
    const bus = make({ producerBatching: { maxMessages: 300, maxBytes: 64 * 1024 } });
    const topic = randomName('coalesce');
    const publisher = bus.createPublisher();
    await Promise.all(
      Array.from({ length: 100 }, (_, call) =>
        publisher.publish(
          topic,
          Array.from({ length: 50 }, (_, i) => ({ key: `k${(call * 50 + i) % 97}`, value: 'x'.repeat(100) })),
        ),
      ),
    );
    await publisher.publish(
      topic,
      Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, value: 'y'.repeat(200) })),
    );
    expect(await highWatermarkSum(bus, topic)).toBe(6000);
  });

  it('reports the lag of a partition whose batch keeps failing (nothing committed)', async () => {
    const bus = make();
    const topic = randomName('stalled');
    await bus.createPublisher().publish(
      topic,
      Array.from({ length: 40 }, (_, i) => ({ key: 'one-key', value: `m${i}` })),
    );
    let attempts = 0;
    const sub = await bus.subscribe({
      groupId: randomName('g'),
      topics: [topic],
      fromBeginning: true,
      retry: { initialDelayMs: 20, maxDelayMs: 50 },
      handler: async () => {
        attempts++;
        throw new ConnectionError('store unreachable');
      },
    });
    await waitFor(() => attempts >= 3 && sub.lag().some((l) => l.lag === 40), {
      timeoutMs: 20_000,
      message: 'lag of 40 while failing',
    });
    expect(sub.lag().map((l) => [l.committedOffset, l.lag])).toEqual([['0', 40]]);
  });

  it('refuses to start an idempotent producer on a broker without idempotence, naming KAFKA_IDEMPOTENT', async () => {
    const failure = make({ idempotent: true, retries: 1 }).connectPublisher();
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toMatchObject({
      variable: 'KAFKA_IDEMPOTENT',
      message: expect.stringContaining('set KAFKA_IDEMPOTENT=false'),
    });
    await expect(make({ idempotent: false }).connectPublisher()).resolves.toBeUndefined();
  });

  it('produces and consumes GZIP-compressed batches', async () => {
    const bus = make({ gzip: true });
    const topic = randomName('gzip');
    await bus.createPublisher().publish(
      topic,
      Array.from({ length: 100 }, (_, i) => ({ key: `k${i % 5}`, value: `message ${i} `.repeat(20) })),
    );
    const got: BusMessage[] = [];
    await bus.subscribe({
      groupId: randomName('g'),
      topics: [topic],
      fromBeginning: true,
      handler: async (batch) => {
        got.push(...batch);
      },
    });
    await waitFor(() => got.length === 100, { timeoutMs: 20_000, message: '100 compressed messages' });
    expect(got.map((m) => m.value.toString()).sort()).toEqual(
      Array.from({ length: 100 }, (_, i) => `message ${i} `.repeat(20)).sort(),
    );
  });

  it('answers ping when the cluster is up, and a ConnectionError when it is not', async () => {
    await expect(make().ping()).resolves.toBeUndefined();
    const away = make({ brokers: ['127.0.0.1:1'], retries: 0, connectionTimeoutMs: 500 });
    await expect(away.ping()).rejects.toBeInstanceOf(ConnectionError);
  });

  it('rejects a publish that cannot be delivered instead of hanging', async () => {
    const away = make({ brokers: ['127.0.0.1:1'], retries: 0, connectionTimeoutMs: 500 });
    const failure = await away
      .createPublisher()
      .publish(randomName('t'), [{ key: 'k', value: 'v' }])
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConnectionError);
    expect((failure as Error).message).toMatch(/Kafka/);
  });

  it('uses consumer settings that keep the mock cluster stable', () => {
    const config = make({ sessionTimeoutMs: 3000 }).consumerConfig('g');
    expect(config).toMatchObject({ groupId: 'g', sessionTimeout: 3000, heartbeatInterval: 500, maxWaitTimeInMs: 200 });
    expect(config.partitionAssigners).toHaveLength(1);
  });

  it("pipelines: hands over a partition's next batch while the last one's effects run, and commits only finished runs, in order", async () => {
    const bus = make();
    const topic = randomName('pipeline');
    const groupId = randomName('g');
    await bus.createPublisher().publish(
      topic,
      Array.from({ length: 9 }, (_, i) => ({ key: 'one-entity', value: String(i) })),
    );
    const gates = new Map<string, () => void>();
    const handled: string[] = [];
    const committed: number[] = [];
    const subscription = await bus.subscribe({
      groupId,
      topics: [topic],
      fromBeginning: true,
      maxBatchSize: 3,
      maxPendingBatches: 2,
      onBatch: (r) => committed.push(r.size),
      handler: async (batch, ctx) => {
        const first = batch[0].offset;
        handled.push(first);
        ctx.completeLater(() => new Promise<void>((resolve) => gates.set(first, resolve)));
      },
    });
    // Two batches handled while neither's effect is done; the third waits for room.
    await waitFor(() => gates.size === 2, { timeoutMs: 20_000, message: 'two effects pending' });
    expect(handled).toEqual(['0', '3']);
    const partition = subscription.lag()[0];
    expect(partition?.committedOffset ?? '0').toBe('0');

    // The later one finishing first commits nothing: offset 0..2 is still pending.
    gates.get('3')!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(committed).toEqual([]);
    gates.get('0')!();
    await waitFor(() => handled.length === 3 && gates.has('6'), {
      timeoutMs: 20_000,
      message: 'the third batch handed over',
    });
    await waitFor(() => committed.reduce((n, c) => n + c, 0) === 6, {
      timeoutMs: 20_000,
      message: 'the first two batches committed together',
    });
    gates.get('6')!();
    await waitFor(() => subscription.lag()[0]?.committedOffset === '9', {
      timeoutMs: 20_000,
      message: 'all committed',
    });
    expect(handled).toEqual(['0', '3', '6']);
  });

  it('merges what was fetched while the handler was busy into its next batch, up to maxBatchSize', async () => {
    const bus = make();
    const topic = randomName('merge');
    // Five publishes are five record batches, and the mock broker answers a fetch with one of them.
    for (let p = 0; p < 5; p++)
      await bus.createPublisher().publish(
        topic,
        Array.from({ length: 10 }, (_, i) => ({ key: 'one-entity', value: String(p * 10 + i) })),
      );
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const sizes: number[] = [];
    const seen: string[] = [];
    const subscription = (await bus.subscribe({
      groupId: randomName('g'),
      topics: [topic],
      fromBeginning: true,
      maxBatchSize: 25,
      handler: async (batch) => {
        sizes.push(batch.length);
        for (const m of batch) seen.push(m.value.toString());
        if (sizes.length === 1) await gate;
      },
    })) as KafkaSubscription;
    // Fetching goes on until maxBatchSize messages wait: three more fetches of 10.
    await waitFor(() => sizes.length === 1 && subscription.queued() === 30, {
      timeoutMs: 20_000,
      message: 'three more fetches queued behind the busy handler',
    });
    open();
    await waitFor(() => seen.length === 50, { timeoutMs: 20_000, message: 'all handled' });
    // The next batch merges three fetches (cut at maxBatchSize); the last 15 may come as one batch or two.
    expect(sizes.slice(0, 2)).toEqual([10, 25]);
    expect(Math.max(...sizes)).toBe(25);
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    await waitFor(() => subscription.lag()[0]?.committedOffset === '50', {
      timeoutMs: 20_000,
      message: 'all committed',
    });
  });

  it('gathers: a batch waits up to maxBatchWaitMs for minBatchSize messages, then goes with what it has', async () => {
    const bus = make();
    const topic = randomName('gather');
    for (let p = 0; p < 3; p++)
      await bus.createPublisher().publish(
        topic,
        Array.from({ length: 10 }, (_, i) => ({ key: 'one-entity', value: String(p * 10 + i) })),
      );
    const sizes: number[] = [];
    const subscription = await bus.subscribe({
      groupId: randomName('g'),
      topics: [topic],
      fromBeginning: true,
      minBatchSize: 30,
      maxBatchWaitMs: 10_000,
      handler: async (batch) => void sizes.push(batch.length),
    });
    // Three fetches of one record batch each, handed over as one batch.
    await waitFor(() => sizes.length === 1, { timeoutMs: 20_000, message: 'the gathered batch' });
    expect(sizes).toEqual([30]);
    // Fewer than minBatchSize: handed over once maxBatchWaitMs has passed (10 s here would time the test out; a new subscription waits 200 ms).
    await subscription.stop();
    await bus.createPublisher().publish(
      topic,
      Array.from({ length: 5 }, (_, i) => ({ key: 'one-entity', value: String(30 + i) })),
    );
    const late: number[] = [];
    await bus.subscribe({
      groupId: randomName('g'),
      topics: [topic],
      fromBeginning: true,
      minBatchSize: 100,
      maxBatchWaitMs: 200,
      handler: async (batch) => void late.push(batch.length),
    });
    await waitFor(() => late.reduce((n, x) => n + x, 0) === 35, {
      timeoutMs: 20_000,
      message: 'everything handed over without reaching minBatchSize',
    });
    expect(Math.max(...late)).toBeLessThan(100);
  });

  it('refuses a minBatchSize above maxBatchSize, or a negative maxBatchWaitMs, naming it', async () => {
    const bus = make();
    const base = { groupId: randomName('g'), topics: [randomName('t')], handler: async () => undefined };
    await expect(bus.subscribe({ ...base, maxBatchSize: 10, minBatchSize: 11 })).rejects.toThrow(
      /minBatchSize \(11\) must not exceed maxBatchSize \(10\)/,
    );
    await expect(bus.subscribe({ ...base, maxBatchWaitMs: -1 })).rejects.toThrow(/maxBatchWaitMs/);
  });

  it('maps kafkajs errors: transient ones retriable, the rest not', () => {
    expect(toPulseError(Object.assign(new Error('closed'), { name: 'KafkaJSConnectionError' }), 'x')).toBeInstanceOf(
      ConnectionError,
    );
    expect(
      toPulseError(Object.assign(new Error('busy'), { name: 'KafkaJSProtocolError', retriable: true }), 'x').retriable,
    ).toBe(true);
    const fatal = toPulseError(
      Object.assign(new Error('too large'), { name: 'KafkaJSProtocolError', retriable: false }),
      'publishing',
    );
    expect(fatal).toBeInstanceOf(PulseError);
    expect(fatal.retriable).toBe(false);
    expect(fatal.message).toBe('publishing: too large');
  });
});
