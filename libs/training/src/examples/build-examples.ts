import type { EngagementEvent } from '@pulse/contracts';
import {
  byTimeThenId,
  emptyState,
  evaluate,
  foldEvents,
  type EntityState,
  type FeatureRegistry,
  type FeatureValues,
} from '@pulse/features';
import { firstAfter, LABELS, triggerPoints, type CompiledModelSpec, type ExamplePoint } from '@pulse/models';
import { entityGroups, type EventStream } from './entity-groups';
import { ExampleSet } from './example-set';

export interface BuildExamplesOptions {
  readonly compiled: CompiledModelSpec;
  readonly registry: FeatureRegistry;
  /** The log's events grouped by entity (the event log's order), in memory or streamed (pages welcome); within an entity any order. */
  readonly events: EventStream;
  /** The newest event time of the log: labels whose horizon ends after it are censored. */
  readonly watermarkMs: number;
  /** Only examples with time in [fromMs, untilMs). */
  readonly fromMs?: number;
  readonly untilMs?: number;
  /** Leakage probe: every `leakageEvery`-th entity (by a hash of its id) has its examples rebuilt from its history cut at the label's start. Default 10. */
  readonly leakageEvery?: number;
  /** Called every so many events with the count folded so far. */
  readonly onProgress?: (eventsSeen: number) => void;
}

export interface BuiltExamples {
  readonly examples: ExampleSet;
  readonly eventsSeen: number;
  readonly entities: number;
  readonly censored: number;
  /** Columns whose value changed when the history was cut at the label's start (leakage). */
  readonly leakingColumns: readonly string[];
  readonly leakageProbes: number;
}

/**
 * Point-in-time examples: for each trigger point, the spec's input vector from the entity's views as
 * of the point (plus each view's as-of offset) — folding only events up to that time, the same fold
 * and evaluate code the online path runs — and the label from the events after it. One entity's
 * history is in memory at a time.
 */
export async function buildExamples(options: BuildExamplesOptions): Promise<BuiltExamples> {
  const { compiled, registry, watermarkMs } = options;
  const spec = compiled.spec;
  const examples = new ExampleSet(compiled.featureNames, spec.fairnessAttributes);
  const label = LABELS[spec.label.kind];
  const offsets = [...new Set(compiled.views.map((v) => v.asOfOffsetMs))];
  const viewsAt = offsets.map((o) => compiled.views.filter((v) => v.asOfOffsetMs === o).map((v) => v.name));
  const every = options.leakageEvery ?? 10;
  const leaking = new Set<string>();
  let eventsSeen = 0;
  let entities = 0;
  let censored = 0;
  let probes = 0;
  let nextProgress = 100_000;
  const scratch = new Float32Array(compiled.featureNames.length);

  for await (const { entityId, events } of entityGroups(options.events)) {
    events.sort(byTimeThenId);
    entities++;
    eventsSeen += events.length;
    if (options.onProgress && eventsSeen >= nextProgress) {
      options.onProgress(eventsSeen);
      nextProgress = eventsSeen + 100_000;
    }
    const points = triggerPoints(spec, entityId, events, watermarkMs).filter(
      (p) =>
        (options.fromMs === undefined || p.timeMs >= options.fromMs) &&
        (options.untilMs === undefined || p.timeMs < options.untilMs),
    );
    if (points.length === 0) continue;
    const folds = offsets.map(() => ({ state: emptyState() as EntityState, next: 0 }));
    const probe = every > 0 && hashOf(entityId) % every === 0;
    let profileAt = 0;
    let probedHere = 0;
    const lastPoint = points[points.length - 1];
    const profile: Record<string, string> = {};
    for (const point of points) {
      const outcome = label.outcome(spec.label, point, events, watermarkMs);
      if (outcome === 'censored') {
        censored++;
        continue;
      }
      const values: FeatureValues = {};
      offsets.forEach((offset, i) => {
        const fold = folds[i];
        const asOf = point.timeMs + offset;
        let end = fold.next;
        while (end < events.length && events[end].eventTimeMs <= asOf) end++;
        if (end > fold.next) foldEvents(fold.state, events.slice(fold.next, end), registry);
        fold.next = end;
        Object.assign(values, evaluate(fold.state, asOf, registry, viewsAt[i]));
      });
      const vector = compiled.vector(values, contextOf(point), scratch);
      while (profileAt < events.length && events[profileAt].eventTimeMs <= point.timeMs) {
        const p = events[profileAt++].profile;
        if (p) for (const [k, v] of Object.entries(p)) if (typeof v === 'string') profile[k] = v;
      }
      examples.add(vector, outcome, point.timeMs, entityId, point.trigger?.eventId ?? '', profile);
      if (probe && probedHere < PROBES_PER_ENTITY && (probedHere === 0 || point === lastPoint)) {
        probes++;
        probedHere++;
        for (const column of leakProbe(options, point, events, offsets, viewsAt, vector)) leaking.add(column);
      }
    }
  }
  options.onProgress?.(eventsSeen);
  return { examples, eventsSeen, entities, censored, leakingColumns: [...leaking], leakageProbes: probes };
}

function contextOf(point: ExamplePoint) {
  return point.trigger ?? { eventTimeMs: point.timeMs };
}

/**
 * Rebuilds one example from the entity's history cut at the label's start (events up to the trigger
 * time, the trigger included) and returns the columns whose value differs from the one built: those
 * read events the label is made of.
 */
function leakProbe(
  options: BuildExamplesOptions,
  point: ExamplePoint,
  events: readonly EngagementEvent[],
  offsets: readonly number[],
  viewsAt: readonly string[][],
  built: Float32Array,
): string[] {
  const visible = events.slice(0, firstAfter(events, point.timeMs));
  const values: FeatureValues = {};
  offsets.forEach((offset, i) => {
    const asOf = point.timeMs + offset;
    const state = emptyState();
    foldEvents(
      state,
      visible.filter((e) => e.eventTimeMs <= asOf),
      options.registry,
    );
    Object.assign(values, evaluate(state, asOf, options.registry, viewsAt[i]));
  });
  const cut = options.compiled.vector(values, contextOf(point));
  const names: string[] = [];
  for (let i = 0; i < cut.length; i++) {
    const a = cut[i];
    const b = built[i];
    if (!(a === b || (Number.isNaN(a) && Number.isNaN(b)))) names.push(options.compiled.featureNames[i]);
  }
  return names;
}

/** Examples rebuilt per probed entity (its first and its last): a leak shows in any example, and a re-fold costs the whole history. */
const PROBES_PER_ENTITY = 2;

/** FNV-1a of the id: a stable, spread-out choice of probed entities. */
function hashOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
