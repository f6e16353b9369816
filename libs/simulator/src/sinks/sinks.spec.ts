import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { EngagementEvent } from '@pulse/contracts';
import {
  CONTENT_TYPE_HEADER,
  decodeEngagementEvent,
  LEARNING_ENGAGEMENT_CATALOG,
  validateEngagementEventJson,
} from '@pulse/contracts';
import { createSimulation } from '../simulation/simulation';
import type { CompletionOracleRecord } from '../simulation/simulation-options';
import type { EventSink } from './event-sink';
import { JsonlSink } from './jsonl.sink';
import { ORACLE_CSV_HEADER, OracleCsvWriter } from './oracle-csv.writer';
import type { TopicPublisher } from './publisher.sink';
import { PublisherSink } from './publisher.sink';
import type { Clock } from './rate-publisher';
import { publishStream } from './rate-publisher';

const START = Date.UTC(2024, 5, 3);
const simulate = (onOracle?: (r: CompletionOracleRecord) => void) =>
  createSimulation({ seed: 9, learners: 20, days: 5, startTimeMs: START, onOracle });

class CollectingSink implements EventSink {
  readonly batches: EngagementEvent[][] = [];
  async publish(events: EngagementEvent[]): Promise<void> {
    this.batches.push([...events]);
  }
}

describe('sinks', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-sim-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes JSONL that validates back into the same events', async () => {
    const events = [...simulate()];
    const file = path.join(dir, 'events.jsonl');
    const sink = JsonlSink.toFile(file);
    await publishStream(events, sink, { batchSize: 37 });
    await sink.close();
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBe(events.length);
    const back = lines.map((l) =>
      validateEngagementEventJson(JSON.parse(l), LEARNING_ENGAGEMENT_CATALOG, { nowMs: START + 10 * 86_400_000 }),
    );
    expect(back).toEqual(events.map((event) => ({ ok: true, event })));
  });

  it('does not close a stream it does not own (stdout)', async () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (c) => chunks.push(String(c)));
    const sink = new JsonlSink(stream);
    await sink.publish([...simulate()].slice(0, 3));
    await sink.close();
    expect(stream.writableEnded).toBe(false);
    expect(chunks.join('').split('\n').length).toBe(4);
  });

  it('writes the oracle CSV, one row per lesson_sent', async () => {
    const file = path.join(dir, 'oracle.csv');
    const writer = OracleCsvWriter.toFile(file);
    const events = [...simulate(writer.record)];
    await writer.close();
    const [header, ...rows] = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(header).toBe(ORACLE_CSV_HEADER);
    expect(rows.map((r) => r.split(',')[0])).toEqual(
      events.filter((e) => e.eventType === 'lesson_sent').map((e) => e.eventId),
    );
    expect(
      rows.every((r) =>
        /^[^,]+,learner-\d{6},[a-z]+-p\d+-l\d\d,(slack|sms|email|web),\d{4}-\d\d-\d\dT[\d:.]+Z,[01]\.\d{6},[01],[01]$/.test(
          r,
        ),
      ),
    ).toBe(true);
    expect(writer.count).toBe(rows.length);
  });

  it('publishes to a topic keyed by entity with a content-type header, decodable by the contracts', async () => {
    const sent: Array<{ topic: string; key: string | null; value: Buffer; headers?: Record<string, string> }> = [];
    const publisher: TopicPublisher = {
      publish: async (topic, messages) => {
        messages.forEach((m) => sent.push({ topic, ...m }));
      },
    };
    const events = [...simulate()].slice(0, 50);
    for (const format of ['protobuf', 'json'] as const) {
      sent.length = 0;
      await new PublisherSink(publisher, 'engagement.events.v1', format).publish(events);
      expect(sent.map((m) => [m.topic, m.key])).toEqual(events.map((e) => ['engagement.events.v1', e.entityId]));
      const decoded = sent.map((m) =>
        decodeEngagementEvent(m.value, m.headers?.[CONTENT_TYPE_HEADER], LEARNING_ENGAGEMENT_CATALOG, {
          nowMs: START + 10 * 86_400_000,
        }),
      );
      expect(decoded).toEqual(events.map((event) => ({ ok: true, event, format })));
    }
  });

  describe('publishStream', () => {
    class FakeClock implements Clock {
      t = 0;
      slept = 0;
      /** Epoch ms at t = 0. */
      epoch = START + 7 * 86_400_000;
      now = () => this.t;
      epochNow = () => this.epoch + this.t;
      sleep = async (ms: number) => {
        this.t += ms;
        this.slept += ms;
      };
    }
    const events = [...createSimulation({ seed: 9, learners: 60, days: 7, startTimeMs: START })].slice(0, 1000);

    it('paces to the requested rate in small batches', async () => {
      const clock = new FakeClock();
      const sink = new CollectingSink();
      const result = await publishStream(events, sink, { ratePerSecond: 200, clock });
      expect(result.published).toBe(1000);
      expect(result.elapsedMs).toBeCloseTo(5000, 6);
      expect(sink.batches.every((b) => b.length === 10)).toBe(true);
      expect(sink.batches.flat()).toEqual(events);
    });

    it('does not wait at rate 0', async () => {
      const clock = new FakeClock();
      const sink = new CollectingSink();
      const progress: number[] = [];
      await publishStream(events, sink, { clock, batchSize: 300, onProgress: (p) => progress.push(p.published) });
      expect(clock.slept).toBe(0);
      expect(progress).toEqual([300, 600, 900, 1000]);
    });

    it('follows the wall clock: what is due goes out at once, later events at their time', async () => {
      const clock = new FakeClock();
      clock.epoch = events[499].eventTimeMs;
      const sink = new CollectingSink();
      const sentAt: number[] = [];
      const caughtUp: number[] = [];
      const result = await publishStream(
        events,
        {
          publish: async (b) => {
            sentAt.push(...b.map(() => clock.epochNow()));
            await sink.publish(b);
          },
        },
        { clock, batchSize: 1000, followWallClock: true, onCaughtUp: (p) => caughtUp.push(p.published) },
      );
      expect(result.published).toBe(1000);
      expect(caughtUp).toEqual([sink.batches[0].length]);
      expect(sink.batches.flat()).toEqual(events);
      expect(sink.batches[0].length).toBeGreaterThanOrEqual(500);
      expect(events.every((e, i) => sentAt[i] >= e.eventTimeMs)).toBe(true);
      expect(clock.epochNow()).toBeGreaterThanOrEqual(events[999].eventTimeMs);
    });

    it('follows a simulation by its due times: an injected century-ahead event does not hold the feed', async () => {
      const sim = createSimulation({ seed: 4, learners: 60, days: 7, startTimeMs: START, invalidFraction: 0.05 });
      const kinds: string[] = [];
      const all = [
        ...createSimulation({
          seed: 4,
          learners: 60,
          days: 7,
          startTimeMs: START,
          invalidFraction: 0.05,
          onInvalid: (k) => kinds.push(k),
        }),
      ];
      expect(kinds).toContain('future_event_time');
      const clock = new FakeClock();
      clock.epoch = START + 7 * 86_400_000;
      const sink = new CollectingSink();
      const result = await publishStream(sim, sink, {
        clock,
        followWallClock: true,
        dueTimeMs: (e) => sim.dueTimeMs(e),
      });
      expect(result.published).toBe(all.length);
      expect(clock.slept).toBeLessThan(2 * 86_400_000);
      expect(sink.batches.flat().some((e) => e.eventTimeMs > START + 365 * 86_400_000)).toBe(true);
    });

    it('stops waiting for the wall clock when aborted', async () => {
      const clock = new FakeClock();
      clock.epoch = events[0].eventTimeMs;
      const controller = new AbortController();
      const sink = new CollectingSink();
      let sleeps = 0;
      const sleeping: Clock = {
        now: clock.now,
        epochNow: clock.epochNow,
        sleep: async (ms) => {
          if (++sleeps === 3) controller.abort();
          await clock.sleep(ms);
        },
      };
      const result = await publishStream(events, sink, {
        clock: sleeping,
        followWallClock: true,
        signal: controller.signal,
      });
      expect(sleeps).toBe(3);
      expect(result.published).toBe(sink.batches.flat().length);
      expect(sink.batches.flat().every((e) => e.eventTimeMs <= clock.epochNow())).toBe(true);
    });

    it('stops after the batch in hand when aborted', async () => {
      const controller = new AbortController();
      const sink = new CollectingSink();
      const result = await publishStream(events, sink, {
        batchSize: 100,
        onProgress: (p) => p.published >= 200 && controller.abort(),
        signal: controller.signal,
      });
      expect(result.published).toBe(200);
    });

    it('really takes about published/rate seconds of wall time', async () => {
      const started = performance.now();
      await publishStream(events.slice(0, 300), new CollectingSink(), { ratePerSecond: 1000 });
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(280);
      expect(elapsed).toBeLessThan(2000);
    });

    it('rejects a negative rate, naming it', async () => {
      await expect(publishStream(events, new CollectingSink(), { ratePerSecond: -1 })).rejects.toThrow(
        'ratePerSecond must be in [0, 1000000000], got -1',
      );
    });
  });
});
