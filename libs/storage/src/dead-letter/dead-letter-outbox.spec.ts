import {
  InMemoryBus,
  KafkaBus,
  type BusLogger,
  type MessageBus,
  type OutgoingMessage,
  type Publisher,
} from '@pulse/bus';
import { decodeDeadLetter, type DeadLetterRecord } from '@pulse/contracts';
import { createTestDatabase, kafkaTestBusOptions, randomName, waitFor, type TestDatabase } from '@pulse/testing';
import { initStorage, type Storage } from '../data-source';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../embedded/embedded-postgres';
import { DeadLetterOutbox, deadLetterOutboxRecord, type DeadLetterOutboxOptions } from './dead-letter-outbox';
import { OUTBOX_HEADER, type RecoveryReport } from './dead-letter-relay';

const logger: BusLogger = { log: () => undefined };

function deadLetter(sourceTopic: string, offset: number, reason = 'invalid_value'): DeadLetterRecord {
  return {
    reason,
    message: `record ${offset} is bad`,
    field: 'event_time',
    original: Buffer.from(`{"bad":${offset}}`),
    originalContentType: 'application/json',
    sourceTopic,
    sourcePartition: offset % 4,
    sourceOffset: String(1000 + offset),
    sourceKey: `learner-${offset % 7}`,
    failedAtMs: Date.now(),
    service: 'feature-service',
  };
}

const batch = (sourceTopic: string, from: number, n: number) =>
  Array.from({ length: n }, (_, i) => deadLetter(sourceTopic, from + i));

interface DlqMessage {
  readonly tag: string;
  readonly source: string;
  readonly reason: string;
  readonly contentType: string;
}

/** Everything in the DLQ topic, decoded. */
async function readDlq(bus: MessageBus, topic: string): Promise<DlqMessage[]> {
  const got: DlqMessage[] = [];
  await bus.readRange(
    topic,
    {},
    await bus.fetchEndOffsets(topic),
    (messages) => {
      for (const m of messages) {
        const d = decodeDeadLetter(m.value);
        expect(m.key).toBe(d.sourceKey);
        got.push({
          tag: m.headers[OUTBOX_HEADER],
          source: `${d.sourceTopic}/${d.sourcePartition}/${d.sourceOffset}`,
          reason: m.headers['x-pulse-reason'],
          contentType: m.headers['content-type'],
        });
      }
    },
    { timeoutMs: 30_000 },
  );
  return got;
}

/** The topic holds exactly these records, each once. */
async function expectEachOnce(
  bus: MessageBus,
  topic: string,
  records: readonly DeadLetterRecord[],
): Promise<DlqMessage[]> {
  const got = await readDlq(bus, topic);
  const counts = new Map<string, number>();
  for (const m of got) counts.set(m.source, (counts.get(m.source) ?? 0) + 1);
  const twice = [...counts].filter(([, n]) => n > 1).map(([s]) => s);
  const missing = records
    .map((r) => `${r.sourceTopic}/${r.sourcePartition}/${r.sourceOffset}`)
    .filter((s) => !counts.has(s));
  expect({ twice, missing, total: got.length }).toEqual({ twice: [], missing: [], total: records.length });
  expect(new Set(got.map((m) => m.tag)).size).toBe(records.length);
  return got;
}

const drained = (outbox: DeadLetterOutbox) => async () => {
  const b = await outbox.backlog();
  return b.pending === 0 && b.inFlight === 0;
};

/** A publisher that misbehaves on its first call, then is the relay's usual one. */
function faultyFirstPublish(
  bus: MessageBus,
  first: (real: Publisher, messages: readonly OutgoingMessage[], topic: string) => Promise<void>,
): Publisher {
  const real = bus.createPublisher({ resend: false });
  let calls = 0;
  return {
    publish: (topic, messages) => (calls++ === 0 ? first(real, messages, topic) : real.publish(topic, messages)),
  };
}

interface Env {
  bus: MessageBus;
  storage: Storage;
}

/** The relay's behaviour, the same over each bus and database. */
function describeRelay(
  name: string,
  setUp: () => Promise<Env & { tearDown(): Promise<void> }>,
  timing: { timeoutMs: number },
) {
  describe(`DeadLetterOutbox: ${name}`, () => {
    let env: Env & { tearDown(): Promise<void> };
    const outboxes: DeadLetterOutbox[] = [];
    const make = (topic: string, extra: Partial<DeadLetterOutboxOptions> = {}) => {
      const outbox = new DeadLetterOutbox(env.storage.dataSource, env.bus, {
        topic,
        leaseMs: 1000,
        pollMs: 50,
        chunkSize: 8,
        ...extra,
      });
      outboxes.push(outbox);
      return outbox;
    };
    beforeAll(async () => {
      env = await setUp();
    }, 60_000);
    afterEach(async () => {
      await Promise.all(outboxes.splice(0).map((o) => o.stop()));
    });
    afterAll(() => env.tearDown());
    const wait = (what: string, predicate: () => unknown) =>
      waitFor(predicate, { timeoutMs: timing.timeoutMs, message: what });
    /** A relay that crashes (kill, then throws) the first time it reaches `at`, with 20 records written and started. */
    const crashingRelay = async (dlq: string, source: string, at: 'claimed' | 'published') => {
      let crashed = false;
      const first: DeadLetterOutbox = make(dlq, {
        crashPoint: (point) => {
          if (point === at && !crashed) {
            crashed = true;
            first.relay.kill();
            throw new Error('kill -9');
          }
        },
      });
      const records = batch(source, 0, 20);
      await first.write(records);
      first.start();
      await wait('the crash', () => crashed);
      await first.relay.done();
      return { first, records };
    };

    it('publishes each written dead letter once, found by the poll, and a redelivered batch adds nothing', async () => {
      const dlq = randomName('dlq');
      const source = randomName('src');
      const published: number[] = [];
      const relay = make(dlq, { pollMs: 150, onPublished: (n) => published.push(n) });
      relay.start();
      await wait('leadership', () => relay.relay.isLeader);
      // Another copy of the service writes (its relay not started, so nothing wakes the leader): the poll finds it.
      const writer = make(dlq);
      const records = batch(source, 0, 20);
      const started = Date.now();
      expect(await writer.write(records)).toEqual({ added: 20, duplicates: 0, addedByReason: { invalid_value: 20 } });
      await wait('all published', drained(relay));
      // Found by the leader's poll (every 150 ms), since nothing else wakes it; the bound is loose for a loaded machine.
      expect(Date.now() - started).toBeLessThan(3000);
      expect(published.reduce((a, b) => a + b, 0)).toBe(20);
      // The batch comes again (its offsets were not committed before a crash): nothing new.
      expect(await writer.write([...records.slice(5), deadLetter(source, 20, 'too_late')])).toEqual({
        added: 1,
        duplicates: 15,
        addedByReason: { too_late: 1 },
      });
      await wait('the new one published', drained(relay));
      const got = await expectEachOnce(env.bus, dlq, [...records, deadLetter(source, 20)]);
      expect(got.every((m) => m.contentType === 'application/x-protobuf')).toBe(true);
      expect(got.filter((m) => m.reason === 'too_late')).toHaveLength(1);
    });

    it('a relay killed after the broker acked a chunk, before marking it: the next one marks it from the topic and publishes nothing twice', async () => {
      const dlq = randomName('dlq');
      const source = randomName('src');
      const { first, records } = await crashingRelay(dlq, source, 'published');
      expect(await first.backlog()).toMatchObject({ pending: 12, inFlight: 8 });

      const recovered: RecoveryReport[] = [];
      const second = make(dlq, { onRecovered: (r) => recovered.push(r) });
      second.start();
      await wait('all published', drained(second));
      expect(recovered).toEqual([{ landed: 8, requeued: 0, seenTwice: 0 }]);
      await expectEachOnce(env.bus, dlq, records);
    });

    it('a relay killed after recording the offsets, before publishing: the next one publishes the chunk, nothing lost', async () => {
      const dlq = randomName('dlq');
      const source = randomName('src');
      const { records } = await crashingRelay(dlq, source, 'claimed');

      const recovered: RecoveryReport[] = [];
      const second = make(dlq, { onRecovered: (r) => recovered.push(r) });
      second.start();
      await wait('all published', drained(second));
      expect(recovered).toEqual([{ landed: 0, requeued: 8, seenTwice: 0 }]);
      await expectEachOnce(env.bus, dlq, records);
    });

    it('a relay killed half-way through a publish: the next one publishes only what did not land', async () => {
      const dlq = randomName('dlq');
      const source = randomName('src');
      const first: DeadLetterOutbox = make(dlq, {
        publisher: faultyFirstPublish(env.bus, async (real, messages, topic) => {
          await real.publish(topic, messages.slice(0, 3));
          first.relay.kill();
          throw new Error('kill -9 during the produce request');
        }),
      });
      const records = batch(source, 0, 12);
      await first.write(records);
      first.start();
      await first.relay.done();

      const recovered: RecoveryReport[] = [];
      const second = make(dlq, { onRecovered: (r) => recovered.push(r) });
      second.start();
      await wait('all published', drained(second));
      expect(recovered).toEqual([{ landed: 3, requeued: 5, seenTwice: 0 }]);
      await expectEachOnce(env.bus, dlq, records);
    });

    it('a publish that landed but reported a failure is resolved by the same relay, which publishes nothing twice', async () => {
      const dlq = randomName('dlq');
      const source = randomName('src');
      const errors: unknown[] = [];
      const recovered: RecoveryReport[] = [];
      const outbox = make(dlq, {
        onError: (e) => errors.push(e),
        onRecovered: (r) => recovered.push(r),
        publisher: faultyFirstPublish(env.bus, async (real, messages, topic) => {
          await real.publish(topic, messages);
          throw new Error('connection closed before the ack');
        }),
      });
      const records = batch(source, 0, 12);
      await outbox.write(records);
      outbox.start();
      await wait('all published', drained(outbox));
      expect(errors.map((e) => (e as Error).message)).toEqual(['connection closed before the ack']);
      expect(recovered).toEqual([{ landed: 8, requeued: 0, seenTwice: 0 }]);
      expect(outbox.relay.isLeader).toBe(true);
      await expectEachOnce(env.bus, dlq, records);
    });

    it('two relays compete: one publishes, the other takes over when it stops or dies', async () => {
      const dlq = randomName('dlq');
      const source = randomName('src');
      const by = new Map<string, number>();
      const counting = (name: string): Partial<DeadLetterOutboxOptions> => ({
        leaseMs: 1500,
        onPublished: (n) => by.set(name, (by.get(name) ?? 0) + n),
      });
      const a = make(dlq, counting('a'));
      const b = make(dlq, counting('b'));
      a.start();
      b.start();
      const written: DeadLetterRecord[] = [];
      const write = async (outbox: DeadLetterOutbox, n: number) => {
        const records = batch(source, written.length, n);
        written.push(...records);
        await outbox.write(records);
      };
      // Both write (as two service copies would); one relay publishes it all.
      for (let wave = 0; wave < 4; wave++) {
        await write(wave % 2 === 0 ? a : b, 10);
        await new Promise((r) => setTimeout(r, 100));
      }
      await wait('all published', drained(a));
      expect([a.relay.isLeader, b.relay.isLeader].filter(Boolean)).toHaveLength(1);
      const [leader, follower] = a.relay.isLeader ? [a, b] : [b, a];
      const [leaderName, followerName] = a.relay.isLeader ? ['a', 'b'] : ['b', 'a'];
      expect(Object.fromEntries(by)).toEqual({ [leaderName]: 40 });

      // The leader stops (gives the lease up): the other takes over at once.
      await leader.stop();
      await write(follower, 10);
      await wait('published by the other', drained(follower));
      expect(Object.fromEntries(by)).toEqual({ [leaderName]: 40, [followerName]: 10 });

      // That one dies (its lease left to run out): a third relay takes over after it.
      follower.relay.kill();
      await follower.relay.done();
      const c = make(dlq, counting('c'));
      c.start();
      await write(c, 10);
      await wait('published by the third', drained(c));
      expect(Object.fromEntries(by)).toEqual({ [leaderName]: 40, [followerName]: 10, c: 10 });
      await expectEachOnce(env.bus, dlq, written);
    });
  });
}

describeRelay(
  'Postgres + in-memory bus',
  async () => {
    const db: TestDatabase = await createTestDatabase();
    const storage = await initStorage({ url: db.url, poolSize: 6 });
    const bus = new InMemoryBus();
    return {
      bus,
      storage,
      tearDown: async () => {
        await bus.close();
        await storage.close();
        await db.drop();
      },
    };
  },
  { timeoutMs: 15_000 },
);

describeRelay(
  'Postgres + Kafka (mock cluster)',
  async () => {
    const db: TestDatabase = await createTestDatabase();
    const storage = await initStorage({ url: db.url, poolSize: 6 });
    const bus = new KafkaBus({ ...kafkaTestBusOptions(), logger });
    return {
      bus,
      storage,
      tearDown: async () => {
        await bus.close();
        await storage.close();
        await db.drop();
      },
    };
  },
  { timeoutMs: 30_000 },
);

describeRelay(
  'embedded PGlite + in-memory bus',
  async () => {
    const embedded: EmbeddedPostgres = await startEmbeddedPostgres();
    const storage = await initStorage(embedded.storageOptions);
    const bus = new InMemoryBus();
    return {
      bus,
      storage,
      tearDown: async () => {
        await bus.close();
        await storage.close();
        await embedded.stop();
      },
    };
  },
  { timeoutMs: 15_000 },
);

describe('deadLetterOutboxRecord', () => {
  it('keeps an original up to the limit whole, and cuts a larger one, saying so (the DLQ topic must take every row)', () => {
    const small = { ...deadLetter('src', 1), original: new Uint8Array(100).fill(7) };
    expect(decodeDeadLetter(deadLetterOutboxRecord(small, 'dlq', 100).value)).toMatchObject({
      original: small.original,
      message: small.message,
    });
    const large = { ...small, original: new Uint8Array(101).fill(7) };
    const cut = decodeDeadLetter(deadLetterOutboxRecord(large, 'dlq', 100).value);
    expect([cut.original.byteLength, cut.message]).toEqual([
      100,
      `${small.message} (original cut to its first 100 of 101 bytes)`,
    ]);
  });
});
