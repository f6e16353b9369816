import { ConnectionError, PulseError } from '@pulse/core';
import { randomName, waitFor } from '@pulse/testing';
import type {
  BatchContext,
  BusMessage,
  MessageBus,
  OutgoingMessage,
  SubscribeOptions,
  Subscription,
} from '../src/bus.types';
import { partitionForKey } from '../src/murmur2';

/**
 * The semantics every MessageBus keeps, run against each implementation (in-memory and Kafka).
 * `timeoutMs` is the wait budget for one expectation (Kafka group joins take seconds on the mock).
 */
export function describeBusConformance(name: string, makeBus: () => MessageBus, options: { timeoutMs: number }): void {
  describe(`MessageBus conformance: ${name}`, () => {
    const wait = <T>(predicate: () => T | Promise<T>, message: string) =>
      waitFor(predicate, { timeoutMs: options.timeoutMs, intervalMs: 20, message });
    let bus: MessageBus;
    let topic: string;
    let group: string;

    beforeEach(() => {
      bus = makeBus();
      topic = randomName('conformance');
      group = randomName('group');
    });
    afterEach(async () => {
      await bus.close();
    });

    /** Subscribes and records every batch the handler was given. */
    async function consume(extra: Partial<SubscribeOptions> & { handler?: SubscribeOptions['handler'] } = {}) {
      const batches: BusMessage[][] = [];
      const subscription = await bus.subscribe({
        groupId: group,
        topics: [topic],
        fromBeginning: true,
        ...extra,
        handler: async (batch, ctx) => {
          if (extra.handler) await extra.handler(batch, ctx);
          batches.push(batch);
        },
      });
      return { subscription, batches, messages: () => batches.flat() };
    }

    function keyed(count: number, keys: number, from = 0): OutgoingMessage[] {
      return Array.from({ length: count }, (_, i) => ({
        key: `entity-${(from + i) % keys}`,
        value: `${from + i}`,
        headers: { seq: String(from + i) },
      }));
    }

    function gate() {
      let open!: () => void;
      const opened = new Promise<void>((resolve) => {
        open = resolve;
      });
      return { open, opened };
    }

    it('delivers keys, values and headers intact, keyed messages on the kafkajs partition', async () => {
      const publisher = bus.createPublisher();
      await publisher.publish(topic, [
        {
          key: 'learner-1',
          value: Buffer.from([0, 1, 2, 255]),
          headers: { 'content-type': 'application/x-protobuf', trace: 'abc' },
        },
        { key: null, value: '{"a":1}' },
        { key: 'learner-2', value: 'ünïcødé', headers: {} },
      ]);
      const { messages } = await consume();
      const got = await wait(() => messages().length === 3 && messages(), 'three messages');
      const byValue = new Map(got.map((m) => [m.value.toString('latin1'), m]));
      const binary = byValue.get(Buffer.from([0, 1, 2, 255]).toString('latin1'))!;
      expect(binary).toMatchObject({
        topic,
        key: 'learner-1',
        headers: { 'content-type': 'application/x-protobuf', trace: 'abc' },
        partition: partitionForKey('learner-1', 4),
      });
      expect(Buffer.isBuffer(binary.value)).toBe(true);
      expect(byValue.get('{"a":1}')).toMatchObject({ key: null, headers: {} });
      const text = got.find((m) => m.key === 'learner-2')!;
      expect(text.value.toString()).toBe('ünïcødé');
      expect(text.partition).toBe(partitionForKey('learner-2', 4));
      for (const m of got) {
        expect(m.offset).toMatch(/^\d+$/);
        expect(Math.abs(m.timestamp - Date.now())).toBeLessThan(60_000);
      }
    });

    it('keeps each key in publish order, batches from one partition and within maxBatchSize', async () => {
      const publisher = bus.createPublisher();
      for (let call = 0; call < 4; call++) await publisher.publish(topic, keyed(50, 10, call * 50));
      const { batches, messages } = await consume({ maxBatchSize: 7 });
      await wait(() => messages().length >= 200, '200 messages');
      expect(messages()).toHaveLength(200);
      for (const batch of batches) {
        expect(batch.length).toBeLessThanOrEqual(7);
        expect(new Set(batch.map((m) => m.partition)).size).toBe(1);
      }
      const perKey = new Map<string, number[]>();
      for (const m of messages()) perKey.set(m.key!, [...(perKey.get(m.key!) ?? []), Number(m.value.toString())]);
      for (const [key, seqs] of perKey) {
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        expect(seqs.every((s) => `entity-${s % 10}` === key)).toBe(true);
      }
      expect(perKey.size).toBe(10);
    });

    it('commits only after the handler resolved: a kill while handling redelivers the batch', async () => {
      await bus.createPublisher().publish(topic, keyed(5, 1));
      const blocked = gate();
      let entered = 0;
      const first = await consume({
        handler: async () => {
          entered++;
          await blocked.opened;
        },
      });
      await wait(() => entered === 1, 'handler entered');
      await first.subscription.kill();
      expect(first.subscription.state).toBe('killed');
      expect((await first.subscription.done).state).toBe('killed');
      blocked.open(); // the "crashed" handler finishing late must not commit anything

      const second = await consume();
      await wait(() => second.messages().length === 5, 'the 5 uncommitted messages redelivered');
      await second.subscription.stop();
      expect(second.messages().map((m) => m.value.toString())).toEqual(['0', '1', '2', '3', '4']);

      // Handled and committed: a third member of the group gets only what is published after.
      await bus.createPublisher().publish(topic, [{ key: 'entity-0', value: 'sentinel' }]);
      const third = await consume();
      await wait(() => third.messages().length >= 1, 'sentinel');
      expect(third.messages().map((m) => m.value.toString())).toEqual(['sentinel']);
    });

    it('after a crash mid-stream (non-retriable error) a restart resumes from the last commit', async () => {
      await bus.createPublisher().publish(topic, keyed(60, 1));
      let handled = 0;
      let committedUpTo = -1;
      const errors: unknown[] = [];
      const first = await consume({
        maxBatchSize: 10,
        onError: (e) => errors.push(e),
        handler: async (batch) => {
          if (handled === 3) throw new PulseError('poison batch');
          handled++;
          committedUpTo = Number(batch[batch.length - 1].offset);
        },
      });
      const outcome = await first.subscription.done;
      expect(outcome.state).toBe('failed');
      expect((outcome.error as Error).message).toBe('poison batch');
      expect(errors).toHaveLength(1);
      expect(first.subscription.state).toBe('failed');
      expect(first.messages().length).toBe(committedUpTo + 1);

      const second = await consume({ maxBatchSize: 10 });
      await wait(() => second.messages().length === 60 - (committedUpTo + 1), 'the rest redelivered');
      expect(Number(second.messages()[0].offset)).toBe(committedUpTo + 1);
      const all = [...first.messages(), ...second.messages()].map((m) => Number(m.value.toString()));
      expect(all).toEqual(Array.from({ length: 60 }, (_, i) => i));
    });

    it('retries a batch that failed with a retriable error, then moves on', async () => {
      await bus.createPublisher().publish(topic, keyed(3, 1));
      const attempts: string[][] = [];
      const { messages } = await consume({
        retry: { initialDelayMs: 5, maxDelayMs: 20 },
        handler: async (batch) => {
          attempts.push(batch.map((m) => m.offset));
          if (attempts.length <= 2) throw new ConnectionError('database briefly away');
        },
      });
      await wait(() => messages().length === 3, 'three messages after retries');
      expect(attempts.length).toBeGreaterThanOrEqual(3);
      expect(attempts[1]).toEqual(attempts[0]);
      expect(attempts[2]).toEqual(attempts[0]);
    });

    it('splits partitions between two members of a group, who together see every message', async () => {
      const a = await consume();
      const b = await consume();
      const assignments = await wait(() => {
        const pa = a.subscription.assignment()[topic] ?? [];
        const pb = b.subscription.assignment()[topic] ?? [];
        return (
          pa.length > 0 &&
          pb.length > 0 &&
          new Set([...pa, ...pb]).size === 4 &&
          pa.length + pb.length === 4 && { pa, pb }
        );
      }, 'both members assigned');
      await bus.createPublisher().publish(topic, keyed(200, 40));
      await wait(() => a.messages().length + b.messages().length >= 200, 'all messages');
      expect(a.messages().length + b.messages().length).toBe(200);
      expect(a.messages().every((m) => assignments.pa.includes(m.partition))).toBe(true);
      expect(b.messages().every((m) => assignments.pb.includes(m.partition))).toBe(true);
      expect(a.messages().length).toBeGreaterThan(0);
      expect(b.messages().length).toBeGreaterThan(0);

      // A leaver's partitions move to the survivor, which resumes after b's commits.
      await b.subscription.stop();
      await wait(() => (a.subscription.assignment()[topic] ?? []).length === 4, 'survivor owns every partition');
      await bus.createPublisher().publish(topic, keyed(40, 40, 200));
      await wait(() => a.messages().length + b.messages().length >= 240, 'messages after the rebalance');
      const all = [...a.messages(), ...b.messages()].map((m) => Number(m.value.toString())).sort((x, y) => x - y);
      expect(all).toEqual(Array.from({ length: 240 }, (_, i) => i));
    });

    it('a graceful stop finishes and commits the batch in hand', async () => {
      await bus.createPublisher().publish(topic, keyed(4, 1));
      const blocked = gate();
      const events: string[] = [];
      let signal: AbortSignal | undefined;
      const first = await consume({
        handler: async (_batch, ctx: BatchContext) => {
          signal = ctx.signal;
          events.push('handler-started');
          await blocked.opened;
          events.push('handler-finished');
        },
      });
      await wait(() => events.includes('handler-started'), 'handler started');
      const stopped = first.subscription.stop().then(() => events.push('stop-resolved'));
      await wait(() => first.subscription.state === 'stopping', 'stopping');
      expect(events).toEqual(['handler-started']);
      blocked.open();
      await stopped;
      expect(events).toEqual(['handler-started', 'handler-finished', 'stop-resolved']);
      expect(signal?.aborted).toBe(false);
      expect(first.subscription.state).toBe('stopped');
      expect((await first.subscription.done).state).toBe('stopped');
      const handled = first.messages().length;
      expect(handled).toBeGreaterThan(0);

      await bus.createPublisher().publish(topic, [{ key: 'entity-0', value: 'sentinel' }]);
      const second = await consume();
      await wait(() => second.messages().some((m) => m.value.toString() === 'sentinel'), 'sentinel');
      // Only what the first member never handled comes again, then the sentinel.
      expect(second.messages().map((m) => m.value.toString())).toEqual([
        ...['0', '1', '2', '3'].slice(handled),
        'sentinel',
      ]);
    });

    it('commits a batch only once the effects its handler left (completeLater) are done: a kill before that redelivers it', async () => {
      await bus.createPublisher().publish(topic, keyed(6, 1));
      const effectGate = gate();
      const effectsStarted: string[] = [];
      const first = await consume({
        maxBatchSize: 3,
        handler: async (batch, ctx) => {
          ctx.completeLater(async () => {
            effectsStarted.push(batch[0].offset);
            await effectGate.opened;
          });
        },
      });
      await wait(() => effectsStarted.length >= 1, 'an effect started');
      await first.subscription.kill();
      effectGate.open(); // effects finishing after the crash must not commit anything

      const second = await consume({ maxBatchSize: 3 });
      await wait(() => second.messages().length === 6, 'all six redelivered');
      expect(second.messages().map((m) => m.value.toString())).toEqual(['0', '1', '2', '3', '4', '5']);
      await second.subscription.stop();
    });

    it('runs a failed effect again when the error is retriable, and commits the batch once it succeeds', async () => {
      await bus.createPublisher().publish(topic, keyed(3, 1));
      let effectRuns = 0;
      const reports: number[] = [];
      const { subscription } = await consume({
        retry: { initialDelayMs: 5, maxDelayMs: 20 },
        onBatch: (r) => reports.push(r.size),
        handler: async (_batch, ctx) => {
          ctx.completeLater(async () => {
            effectRuns++;
            if (effectRuns <= 2) throw new ConnectionError('database briefly away');
          });
        },
      });
      await wait(() => reports.reduce((n, r) => n + r, 0) === 3, 'the batch committed');
      expect(effectRuns).toBe(3);
      expect(subscription.state).toBe('running');
      const lag = subscription.lag().find((l) => l.partition === partitionForKey('entity-0', 4));
      expect(lag).toMatchObject({ committedOffset: '3', lag: 0 });
    });

    it('fails the subscription on a non-retriable effect error, committing nothing from that batch on', async () => {
      await bus.createPublisher().publish(topic, keyed(9, 1));
      const errors: unknown[] = [];
      const first = await consume({
        maxBatchSize: 3,
        onError: (e) => errors.push(e),
        handler: async (batch, ctx) => {
          ctx.completeLater(async () => {
            if (batch[0].offset === '3') throw new PulseError('effect cannot be applied');
          });
        },
      });
      const outcome = await first.subscription.done;
      expect(outcome.state).toBe('failed');
      expect((outcome.error as Error).message).toBe('effect cannot be applied');
      expect(errors).toHaveLength(1);

      const second = await consume({ maxBatchSize: 3 });
      await wait(() => second.messages().length === 6, 'offsets 3..8 redelivered');
      expect(second.messages().map((m) => m.offset)).toEqual(['3', '4', '5', '6', '7', '8']);
      await second.subscription.stop();
    });

    it('a graceful stop waits for pending effects and commits their batches', async () => {
      await bus.createPublisher().publish(topic, keyed(2, 1));
      const effectGate = gate();
      let effectStarted = false;
      let effectDone = false;
      const first = await consume({
        handler: async (_batch, ctx) => {
          ctx.completeLater(async () => {
            effectStarted = true;
            await effectGate.opened;
            effectDone = true;
          });
        },
      });
      await wait(() => effectStarted, 'effect started');
      const stopped = first.subscription.stop();
      await wait(() => first.subscription.state === 'stopping', 'stopping');
      effectGate.open();
      await stopped;
      expect(effectDone).toBe(true);
      expect(first.subscription.state).toBe('stopped');

      await bus.createPublisher().publish(topic, [{ key: 'entity-0', value: 'sentinel' }]);
      const second = await consume();
      await wait(() => second.messages().length >= 1, 'sentinel');
      expect(second.messages().map((m) => m.value.toString())).toEqual(['sentinel']);
    });

    it('rejects an effect that is not a function, and a bad maxPendingBatches', async () => {
      await expect(
        bus.subscribe({ groupId: group, topics: [topic], maxPendingBatches: 0, handler: async () => undefined }),
      ).rejects.toThrow(RangeError);
      await bus.createPublisher().publish(topic, keyed(1, 1));
      const errors: unknown[] = [];
      const { subscription } = await consume({
        onError: (e) => errors.push(e),
        handler: async (_batch, ctx) => ctx.completeLater('not a function' as unknown as () => Promise<void>),
      });
      const outcome = await subscription.done;
      expect(outcome.state).toBe('failed');
      expect(outcome.error).toBeInstanceOf(TypeError);
      expect((outcome.error as Error).message).toMatch(/completeLater\(effect\): effect must be a function/);
    });

    it('reports lag and batches for metrics, and close() stops every subscription', async () => {
      await bus.createPublisher().publish(topic, keyed(30, 1));
      const reports: { size: number; lag: number }[] = [];
      const { subscription } = await consume({ maxBatchSize: 10, onBatch: (r) => reports.push(r) });
      await wait(() => reports.reduce((n, r) => n + r.size, 0) === 30, 'all batches reported');
      expect(reports[reports.length - 1].lag).toBe(0);
      const lag = subscription.lag().find((l) => l.partition === partitionForKey('entity-0', 4));
      expect(lag).toMatchObject({ topic, committedOffset: '30', highWatermark: '30', lag: 0 });
      await bus.close();
      expect(subscription.state).toBe('stopped');
      await expect(bus.subscribe({ groupId: group, topics: [topic], handler: async () => undefined })).rejects.toThrow(
        /closed/,
      );
    });
  });
}

export type { Subscription };
