// The reference: how fast a plain kafkajs consumer (eachBatch, no-op handler, offsets committed after
// every batch) drains the same broker, with the same consumer settings as the service's bus. Also, for
// information, kafkajs's per-message API (eachMessage, no-op, kafkajs's own auto-commit): the way most
// kafkajs consumers are written, and much slower per message.
import type { Consumer, EachBatchPayload } from 'kafkajs';
import { KafkaBus } from '@pulse/bus';
import { randomName } from '@pulse/testing';
import type { FeedReport, KcatProducer } from './kcat-producer';

export interface RawRate {
  readonly events: number;
  readonly ms: number;
  readonly perSecond: number;
}

export interface PreloadedResult {
  readonly rounds: RawRate[];
  /** All rounds together: total events over total drain time. */
  readonly overall: RawRate;
  /** Messages delivered while the consumer was paused (should be none; they are not counted). */
  readonly leakedWhilePaused: number;
  readonly averageBatch: number;
}

interface Counting {
  consumer: Consumer;
  count: () => number;
  batches: () => number;
  /** Resolves once `count()` reaches n. */
  reach: (n: number) => Promise<void>;
  stop: () => Promise<void>;
}

const rate = (events: number, ms: number): RawRate => ({ events, ms, perSecond: (events * 1000) / ms });

/** Which kafkajs consumer API the no-op reference uses. */
export type RawApi = 'eachBatch' | 'eachMessage';

async function countingConsumer(bus: KafkaBus, topic: string, api: RawApi): Promise<Counting> {
  const consumer = bus.kafka.consumer(bus.consumerConfig(randomName('bench-raw')));
  let count = 0;
  let batches = 0;
  let target: { n: number; resolve: () => void } | null = null;
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const reached = () => {
    if (target && count >= target.n) {
      target.resolve();
      target = null;
    }
  };
  if (api === 'eachMessage') {
    await consumer.run({
      eachMessage: async ({ message }) => {
        if ((message.value?.length ?? 0) < 0) throw new Error('unreachable');
        count++;
        reached();
      },
    });
  } else
    await consumer.run({
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }: EachBatchPayload) => {
        // The no-op handler: look at each message as a handler would, do nothing with it.
        let bytes = 0;
        for (const m of batch.messages) bytes += m.value?.length ?? 0;
        if (bytes < 0) throw new Error('unreachable');
        count += batch.messages.length;
        batches++;
        resolveOffset(batch.lastOffset());
        await commitOffsetsIfNecessary();
        reached();
      },
    });
  await joined;
  return {
    consumer,
    count: () => count,
    batches: () => batches,
    reach: (n) => (count >= n ? Promise.resolve() : new Promise((resolve) => (target = { n, resolve }))),
    stop: () => consumer.disconnect(),
  };
}

/**
 * Preloaded drain: with the consumer paused, produce a round (small enough for the broker's 5 MiB per
 * partition), then resume and time until the round is consumed. Repeated to smooth out noise.
 */
export async function rawPreloaded(
  bus: KafkaBus,
  producer: KcatProducer,
  roundSize: number,
  rounds: number,
  api: RawApi = 'eachBatch',
): Promise<PreloadedResult> {
  const topic = randomName('bench-raw-preloaded');
  const c = await countingConsumer(bus, topic, api);
  const results: RawRate[] = [];
  let leaked = 0;
  let batches = 0;
  try {
    for (let r = 0; r < rounds; r++) {
      c.consumer.pause([{ topic }]);
      const before = c.count();
      await producer.send(topic, producer.prepare(r * roundSize, (r + 1) * roundSize), {
        maxAhead: roundSize,
        consumed: () => 0,
      });
      const leakedNow = c.count() - before;
      leaked += leakedNow;
      const batchesBefore = c.batches();
      const started = performance.now();
      c.consumer.resume([{ topic }]);
      await c.reach(before + roundSize);
      results.push(rate(roundSize - leakedNow, performance.now() - started));
      batches += c.batches() - batchesBefore;
    }
  } finally {
    await c.stop();
  }
  const events = results.reduce((a, r) => a + r.events, 0);
  const ms = results.reduce((a, r) => a + r.ms, 0);
  return {
    rounds: results,
    overall: rate(events, ms),
    leakedWhilePaused: leaked,
    averageBatch: events / Math.max(1, batches),
  };
}

/** Streaming drain: the producer feeds the consumer as in the end-to-end run (same pacing). */
export async function rawStreaming(
  bus: KafkaBus,
  producer: KcatProducer,
  events: number,
  maxAhead: number,
): Promise<RawRate & { feed: FeedReport; averageBatch: number }> {
  const topic = randomName('bench-raw-streaming');
  const c = await countingConsumer(bus, topic, 'eachBatch');
  try {
    const plan = producer.prepare(0, events);
    const started = performance.now();
    const fed = producer.send(topic, plan, { maxAhead, consumed: c.count });
    await c.reach(events);
    const ms = performance.now() - started;
    return { ...rate(events, ms), feed: await fed, averageBatch: events / Math.max(1, c.batches()) };
  } finally {
    await c.stop();
  }
}
