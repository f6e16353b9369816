// The benchmark's data: a champion trained on one simulated log, and another simulated stream whose
// first days are loaded into the event log and the online states before the services start, the rest
// produced live.
import { CONTENT_TYPE_HEADER, encodeEngagementEvent, type EngagementEvent } from '@pulse/contracts';
import { foldBatchIntoStore, type FeatureRegistry, type OnlineStore } from '@pulse/features';
import { DEFAULT_MODELS } from '@pulse/models';
import { createSimulation } from '@pulse/simulator';
import type { ModelRegistryRepository, Storage } from '@pulse/storage';
import { memorySource, runTrainingJob, type TrainingJobOutcome } from '@pulse/training-jobs';

/**
 * lesson_completion trained with its spec's own parameters on a simulated log (profile attributes
 * left out, so the fairness gates judge the model alone) and registered as champion.
 */
export async function trainChampion(
  registry: ModelRegistryRepository,
  featureRegistry: FeatureRegistry,
  options: { learners: number; days: number; startMs: number },
): Promise<TrainingJobOutcome> {
  const events: EngagementEvent[] = [];
  for (const e of createSimulation({ seed: 'bench-inference-train', ...options, startTimeMs: options.startMs })) {
    const { profile: _profile, ...rest } = e;
    events.push(rest);
  }
  const watermarkMs = events[events.length - 1].eventTimeMs;
  events.sort((a, b) => (a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : 0));
  const outcome = await runTrainingJob({
    spec: DEFAULT_MODELS.lesson_completion,
    featureRegistry,
    source: memorySource('bench-inference-train', events, watermarkMs),
    registry,
    actor: 'bench:inference',
  });
  if (outcome.alias !== 'champion')
    throw new Error(
      `the trained version is not champion: ${JSON.stringify(outcome.candidate.gates.filter((g) => !g.passed))}`,
    );
  return outcome;
}

/** The serving stream in time order, read as far as asked. */
export class LiveStream {
  private readonly source: Iterator<EngagementEvent>;
  private head: EngagementEvent | undefined;
  produced = 0;

  constructor(options: { learners: number; days: number; startMs: number }) {
    this.source = createSimulation({
      seed: 'bench-inference',
      learners: options.learners,
      days: options.days,
      startTimeMs: options.startMs,
    })[Symbol.iterator]();
  }

  peek(): EngagementEvent | undefined {
    if (this.head === undefined) {
      const next = this.source.next();
      this.head = next.done ? undefined : next.value;
    }
    return this.head;
  }

  take(): EngagementEvent | undefined {
    const e = this.peek();
    this.head = undefined;
    if (e !== undefined) this.produced++;
    return e;
  }
}

/** One event ready to produce, keyed by entity (protobuf, as producers are asked to send). */
export interface WireEvent {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
  /** The trigger's event id, when the event is a lesson_sent. */
  readonly trigger?: string;
}

export function wireEvent(e: EngagementEvent): WireEvent {
  const encoded = encodeEngagementEvent(e, 'protobuf');
  return {
    key: e.entityId,
    value: Buffer.from(encoded.bytes.buffer, encoded.bytes.byteOffset, encoded.bytes.byteLength),
    headers: { [CONTENT_TYPE_HEADER]: encoded.contentType },
    ...(e.eventType === 'lesson_sent' ? { trigger: e.eventId } : {}),
  };
}

/**
 * The next events of the stream up to and including its `triggers`-th lesson_sent (fewer when the
 * stream ends), encoded ahead of the run so that the producer only sends.
 */
export function nextTriggers(stream: LiveStream, triggers: number): { events: WireEvent[]; triggers: number } {
  const events: WireEvent[] = [];
  let n = 0;
  while (n < triggers) {
    const e = stream.take();
    if (e === undefined) break;
    const w = wireEvent(e);
    events.push(w);
    if (w.trigger !== undefined) n++;
  }
  return { events, triggers: n };
}

/**
 * The stream's events before `untilMs` appended to the event log and folded into the online states, as
 * feature-service would have done; returns the counts and the entities with a state.
 */
export async function preload(
  stream: LiveStream,
  untilMs: number,
  storage: Storage,
  store: OnlineStore,
  registry: FeatureRegistry,
  chunk = 50_000,
): Promise<{ events: number; entities: string[] }> {
  const entities = new Set<string>();
  let events = 0;
  for (;;) {
    const batch: EngagementEvent[] = [];
    while (batch.length < chunk && (stream.peek()?.eventTimeMs ?? Infinity) < untilMs) batch.push(stream.take()!);
    if (batch.length === 0) break;
    await storage.eventLog.appendMany(batch);
    await foldBatchIntoStore(store, batch, registry, { stateCache: false });
    for (const e of batch) entities.add(e.entityId);
    events += batch.length;
  }
  stream.produced = 0;
  return { events, entities: [...entities] };
}
