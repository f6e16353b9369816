import { kafkaTestBusOptions, randomName } from '@pulse/testing';
import type { BusMessage, MessageBus, PartitionOffsets } from './bus.types';
import type { BusLogger } from './bus-logger';
import { InMemoryBus } from './in-memory/in-memory-bus';
import { KafkaBus } from './kafka/kafka-bus';

const logger: BusLogger = { log: () => undefined };

const buses: [string, () => MessageBus][] = [
  ['in-memory', () => new InMemoryBus()],
  ['kafka (mock cluster)', () => new KafkaBus({ ...kafkaTestBusOptions(), logger })],
];

async function readAll(
  bus: MessageBus,
  topic: string,
  from: PartitionOffsets,
  to: PartitionOffsets,
): Promise<BusMessage[]> {
  const got: BusMessage[] = [];
  await bus.readRange(
    topic,
    from,
    to,
    (messages) => {
      got.push(...messages);
    },
    { timeoutMs: 30_000 },
  );
  return got;
}

describe.each(buses)('TopicReader: %s', (_name, makeBus) => {
  let bus: MessageBus;
  beforeEach(() => {
    bus = makeBus();
  });
  afterEach(() => bus.close());

  it("reports each partition's end offset", async () => {
    const topic = randomName('ends');
    await bus.createPublisher().publish(topic, [{ key: 'a', value: '1' }]);
    const before = await bus.fetchEndOffsets(topic);
    expect(Object.keys(before)).toHaveLength(4);
    await bus.createPublisher().publish(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ key: 'a', value: String(i) })),
    );
    const after = await bus.fetchEndOffsets(topic);
    const moved = Object.keys(after).filter((p) => after[Number(p)] !== before[Number(p)]);
    expect(moved).toHaveLength(1);
    expect(BigInt(after[Number(moved[0])]) - BigInt(before[Number(moved[0])])).toBe(10n);
  });

  it('reads exactly the messages between two sets of offsets, in offset order per partition', async () => {
    const topic = randomName('range');
    const publisher = bus.createPublisher();
    await publisher.publish(
      topic,
      Array.from({ length: 20 }, (_, i) => ({ key: `k${i % 5}`, value: `before-${i}` })),
    );
    const from = await bus.fetchEndOffsets(topic);
    await publisher.publish(
      topic,
      Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 7}`, value: `inside-${i}`, headers: { n: String(i) } })),
    );
    const to = await bus.fetchEndOffsets(topic);
    await publisher.publish(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ key: `k${i % 3}`, value: `after-${i}` })),
    );

    const got = await readAll(bus, topic, from, to);
    expect(got.map((m) => m.value.toString()).sort()).toEqual(
      Array.from({ length: 30 }, (_, i) => `inside-${i}`).sort(),
    );
    expect(new Set(got.map((m) => m.headers.n)).size).toBe(30);
    for (const partition of new Set(got.map((m) => m.partition))) {
      const offsets = got.filter((m) => m.partition === partition).map((m) => BigInt(m.offset));
      expect(offsets[0]).toBe(BigInt(from[partition]));
      expect(offsets[offsets.length - 1]).toBe(BigInt(to[partition]) - 1n);
      offsets.forEach((o, i) => i > 0 && expect(o).toBe(offsets[i - 1] + 1n));
    }
  });

  it('reads a range that spans several produce requests of one partition', async () => {
    const topic = randomName('requests');
    const publisher = bus.createPublisher();
    // The mock broker answers a fetch with one producer batch: the read must move past each one.
    for (let request = 0; request < 5; request++)
      await publisher.publish(
        topic,
        Array.from({ length: 4 }, (_, i) => ({ key: 'one-key', value: `${request}-${i}` })),
      );
    const got = await readAll(bus, topic, {}, await bus.fetchEndOffsets(topic));
    expect(got.map((m) => m.value.toString())).toEqual(
      Array.from({ length: 20 }, (_, i) => `${Math.floor(i / 4)}-${i % 4}`),
    );
  });

  it('returns at once for an empty range, and reads from the oldest message for a partition without a start', async () => {
    const topic = randomName('empty');
    await bus.createPublisher().publish(
      topic,
      Array.from({ length: 8 }, (_, i) => ({ key: 'same', value: String(i) })),
    );
    const ends = await bus.fetchEndOffsets(topic);
    expect(await readAll(bus, topic, ends, ends)).toEqual([]);
    const got = await readAll(bus, topic, {}, ends);
    expect(got.map((m) => m.value.toString())).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
  });

  it('rejects when the handler fails', async () => {
    const topic = randomName('fails');
    await bus.createPublisher().publish(topic, [{ key: 'a', value: 'x' }]);
    const ends = await bus.fetchEndOffsets(topic);
    await expect(
      bus.readRange(
        topic,
        {},
        ends,
        () => {
          throw new Error('handler broke');
        },
        { timeoutMs: 30_000 },
      ),
    ).rejects.toThrow(/handler broke/);
  });

  it('has a publisher that does not resend (resend: false) and publishes like the shared one', async () => {
    const topic = randomName('once');
    await bus.createPublisher({ resend: false }).publish(topic, [
      { key: 'a', value: 'x' },
      { key: 'b', value: 'y' },
    ]);
    const ends = await bus.fetchEndOffsets(topic);
    expect(Object.values(ends).reduce((n, e) => n + Number(e), 0)).toBe(2);
  });
});
