// The Kafka path timed end to end: events produced to the events topic at a pace set by their triggers
// (lesson_sent), the predictions read off predictions.lesson_completion.v1 in this process; a trigger's
// latency is the time its prediction was consumed minus the time its event was handed to the producer.
import { randomUUID } from 'node:crypto';
import type { BusMessage, MessageBus, Publisher, Subscription } from '@pulse/bus';
import { CONTENT_TYPE_HEADER, decodePrediction } from '@pulse/contracts';
import { waitFor } from '@pulse/testing';
import type { WireEvent } from './bench-data';
import { latencies, sleep, type Latencies } from './bench-support';
import { delta, histogram, scrape, total, type Histogram } from './service-metrics';

const TRIGGER_FIELD = Buffer.from('"triggerEventId":"');

/** The trigger event id of a published prediction, read off the JSON without decoding the rest (~8 kB with its inputs). */
function triggerIdOf(m: BusMessage): string | undefined {
  const at = m.value.indexOf(TRIGGER_FIELD);
  if (at >= 0) {
    const start = at + TRIGGER_FIELD.length;
    return m.value.toString('utf8', start, m.value.indexOf(0x22, start));
  }
  return decodePrediction(m.value, m.headers[CONTENT_TYPE_HEADER]).triggerEventId;
}

/** Reads the predictions topic and times each awaited trigger's prediction. */
export class PredictionWatcher {
  /** Trigger id → when its event went to the producer (performance.now()). */
  private readonly waiting = new Map<string, number>();
  private samples: number[] = [];
  /** Per prediction read: its record's timestamp (set when inference-service produced it) to now, ms. */
  private lastHop: number[] = [];
  /** Predictions of triggers not (or no longer) waited for: redeliveries. */
  unexpected = 0;

  private subscription?: Subscription;

  static async start(bus: MessageBus, topic: string): Promise<PredictionWatcher> {
    const watcher = new PredictionWatcher();
    const subscription = await bus.subscribe({
      groupId: `bench-predictions-${randomUUID()}`,
      topics: [topic],
      fromBeginning: true,
      maxBatchSize: 2000,
      handler: async (batch) => watcher.take(batch),
    });
    watcher.subscription = subscription;
    await waitFor(() => Object.values(subscription.assignment()).flat().length > 0 || null, {
      timeoutMs: 30_000,
      intervalMs: 50,
      message: 'the predictions reader joining its group',
    });
    return watcher;
  }

  expect(triggerId: string, producedAt: number): void {
    this.waiting.set(triggerId, producedAt);
  }

  get outstanding(): number {
    return this.waiting.size;
  }

  /** The latencies since the last call, and the last hops (prediction produced -> read here). */
  drain(): number[] {
    const s = this.samples;
    this.samples = [];
    this.lastHop = [];
    return s;
  }

  lastHops(): number[] {
    return this.lastHop;
  }

  forget(): void {
    this.waiting.clear();
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }

  private take(batch: readonly BusMessage[]): void {
    const now = performance.now();
    const wall = Date.now();
    for (const m of batch) {
      this.lastHop.push(wall - m.timestamp);
      const id = triggerIdOf(m);
      const at = id === undefined ? undefined : this.waiting.get(id);
      if (at === undefined) {
        this.unexpected++;
        continue;
      }
      this.waiting.delete(id!);
      this.samples.push(now - at);
    }
  }
}

export interface KafkaRunResult {
  readonly triggers: number;
  readonly events: number;
  readonly seconds: number;
  /** Triggers and events per second the producer achieved. */
  readonly triggerRate: number;
  readonly eventRate: number;
  readonly latency: Latencies;
  /** Of it: the prediction's record produced by inference-service -> read here (record timestamps, ms). */
  readonly lastHop: Latencies;
  /** Triggers whose prediction did not arrive within the wait. */
  readonly missing: number;
  /** Time from the last event sent to the last prediction read (ms). */
  readonly drainMs: number;
  readonly featureWait: Histogram;
  readonly featureWaitTimeouts: number;
  /** pulse_inference_publish_latency_seconds: trigger received to published, in the service. */
  readonly publish: Histogram;
  readonly fallbacks: number;
}

/**
 * Produces the events at the pace of `rate` triggers per second: every `lingerMs`, every event up to
 * the trigger whose time has come, in one send (one send in flight, so a slow send makes the next one
 * larger rather than reordering the stream); then waits up to `waitMs` for every trigger's prediction.
 * A trigger's time starts when its send is handed to the producer.
 */
export async function kafkaRun(options: {
  readonly publisher: Publisher;
  readonly topic: string;
  readonly events: readonly WireEvent[];
  readonly rate: number;
  readonly watcher: PredictionWatcher;
  readonly inferenceUrl: string;
  readonly waitMs: number;
  /** Sends at most this often (a producer's linger): the mock broker answers a fetch with one produce request. */
  readonly lingerMs: number;
}): Promise<KafkaRunResult> {
  const { publisher, topic, events, rate, watcher } = options;
  const triggerCount = events.reduce((n, e) => n + (e.trigger === undefined ? 0 : 1), 0);
  const before = await scrape(options.inferenceUrl);
  watcher.drain();
  let cursor = 0;
  let triggers = 0;
  let lastSend = -Infinity;
  const t0 = performance.now();
  while (cursor < events.length) {
    const due = Math.min(triggerCount, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
    if (due <= triggers || performance.now() - lastSend < options.lingerMs) {
      await sleep(1);
      continue;
    }
    lastSend = performance.now();
    const batch: WireEvent[] = [];
    while (cursor < events.length && (triggers < due || events[cursor].trigger === undefined)) {
      const e = events[cursor++];
      batch.push(e);
      if (e.trigger !== undefined) {
        triggers++;
        if (triggers === due) break;
      }
    }
    const at = performance.now();
    for (const e of batch) if (e.trigger !== undefined) watcher.expect(e.trigger, at);
    await publisher.publish(topic, batch);
  }
  const sentSeconds = (performance.now() - t0) / 1000;
  const sentAt = performance.now();
  try {
    await waitFor(() => watcher.outstanding === 0 || null, {
      timeoutMs: options.waitMs,
      intervalMs: 5,
      message: 'every prediction',
    });
  } catch {
    // counted as missing below
  }
  const drainMs = performance.now() - sentAt;
  const missing = watcher.outstanding;
  watcher.forget();
  const lastHop = latencies(watcher.lastHops());
  const samples = watcher.drain();
  await sleep(300);
  const after = await scrape(options.inferenceUrl);
  const model = { model: 'lesson_completion' };
  return {
    triggers,
    events: events.length,
    seconds: sentSeconds,
    triggerRate: triggers / sentSeconds,
    eventRate: events.length / sentSeconds,
    latency: latencies(samples),
    lastHop,
    missing,
    drainMs,
    featureWait: delta(
      histogram(before, 'pulse_inference_feature_wait_seconds', model),
      histogram(after, 'pulse_inference_feature_wait_seconds', model),
    ),
    featureWaitTimeouts:
      total(after, 'pulse_inference_feature_wait_timeouts_total', model) -
      total(before, 'pulse_inference_feature_wait_timeouts_total', model),
    publish: delta(
      histogram(before, 'pulse_inference_publish_latency_seconds', model),
      histogram(after, 'pulse_inference_publish_latency_seconds', model),
    ),
    fallbacks:
      total(after, 'pulse_inference_fallbacks_total', model) - total(before, 'pulse_inference_fallbacks_total', model),
  };
}

/**
 * The reference: one Kafka hop on the same brokers at the same pace — the trigger events produced to a
 * scratch topic and consumed here, produce to consume. A trigger's prediction takes two such hops (and
 * feature-service's fold on the way).
 */
export async function rawHop(
  bus: MessageBus,
  events: readonly WireEvent[],
  rate: number,
  seconds: number,
): Promise<Latencies> {
  const topic = `bench-raw-hop-${randomUUID()}`;
  const sent = new Map<string, number>();
  const samples: number[] = [];
  const subscription = await bus.subscribe({
    groupId: `bench-raw-hop-${randomUUID()}`,
    topics: [topic],
    fromBeginning: true,
    maxBatchSize: 2000,
    handler: async (batch) => {
      const now = performance.now();
      for (const m of batch) {
        const at = sent.get(m.headers['bench-id']);
        if (at !== undefined) samples.push(now - at);
      }
    },
  });
  try {
    await waitFor(() => Object.values(subscription.assignment()).flat().length > 0 || null, {
      timeoutMs: 30_000,
      intervalMs: 50,
      message: 'the raw-hop reader joining its group',
    });
    const triggers = events.filter((e) => e.trigger !== undefined);
    const publisher = bus.createPublisher();
    const n = Math.min(triggers.length, Math.round(rate * seconds));
    let i = 0;
    const t0 = performance.now();
    while (i < n) {
      const due = Math.min(n, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
      if (due <= i) {
        await sleep(1);
        continue;
      }
      const batch = triggers.slice(i, due).map((e, k) => ({
        key: e.key,
        value: e.value,
        headers: { ...e.headers, 'bench-id': String(i + k) },
      }));
      const at = performance.now();
      for (let k = i; k < due; k++) sent.set(String(k), at);
      i = due;
      await publisher.publish(topic, batch);
    }
    await waitFor(() => samples.length >= n || null, { timeoutMs: 30_000, intervalMs: 5, message: 'the raw hop' });
    return latencies(samples);
  } finally {
    await subscription.stop();
  }
}
