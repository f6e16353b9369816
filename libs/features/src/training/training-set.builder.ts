import type { EngagementEvent } from '@pulse/contracts';
import type { FeatureValues } from '../definition/feature-view.types';
import { foldEvents } from '../engine/apply-events';
import { emptyState } from '../engine/entity-state';
import { evaluate } from '../engine/evaluate';
import type { FeatureRegistry } from '../engine/feature-registry';
import { byTimeThenId, entityHistories } from '../engine/replay';

export interface TrainingPoint {
  readonly entityId: string;
  readonly timeMs: number;
}

/**
 * Where rows are taken: explicit (entity, time) pairs, or one row per trigger event (distinct event id)
 * as of that event's time.
 */
export type TrainingPoints =
  | { readonly at: readonly TrainingPoint[] }
  | { readonly trigger: { readonly eventType: string; readonly filter?: (e: EngagementEvent) => boolean } };

export interface TrainingRow {
  readonly entityId: string;
  readonly timeMs: number;
  /** The trigger event of the row (trigger points only). */
  readonly trigger?: EngagementEvent;
  /** Exactly what evaluate() returns online for this entity and time. */
  readonly values: FeatureValues;
  /** What the label hook returned. */
  readonly labels?: Readonly<Record<string, number | string | boolean | null>>;
}

/**
 * Adds labels to a row from the entity's whole history (e.g. "completed within 48 h"); null drops the
 * row (a label not yet observable). May be async.
 */
export type LabelHook = (
  row: TrainingRow,
  entityEvents: readonly EngagementEvent[],
) =>
  | Readonly<Record<string, number | string | boolean | null>>
  | null
  | Promise<Readonly<Record<string, number | string | boolean | null>> | null>;

export interface BuildTrainingSetOptions {
  /** The event log, grouped by entity (as `order by entity_id, event_time, event_id` gives it). */
  readonly events: AsyncIterable<EngagementEvent> | Iterable<EngagementEvent>;
  readonly points: TrainingPoints;
  readonly registry: FeatureRegistry;
  /** Views to evaluate; default all of the registry's. */
  readonly views?: readonly string[];
  readonly label?: LabelHook;
}

/**
 * Point-in-time training rows: for each point, the features as of its time — every event with
 * time ≤ the point's time, the trigger event itself included — computed by folding the entity's
 * events in (time, id) order through foldEvents and calling evaluate, the same code the online path
 * runs. That is what inference sees when it evaluates the state after the trigger was folded (or
 * folds the trigger into the state it read; folding is idempotent).
 *
 * Streams: only one entity's events are in memory at a time. Events must be grouped by entity (an
 * entity reappearing after another is an error); within an entity any order is fine. Rows come per
 * entity in the stream's order, by time within an entity; explicit points of entities without events
 * come last (as of an empty history).
 */
export async function* buildTrainingSet(options: BuildTrainingSetOptions): AsyncGenerator<TrainingRow> {
  const { points } = options;
  const explicit = 'at' in points ? groupPoints(points.at) : null;
  for await (const { entityId, events } of entityHistories(options.events))
    yield* entityRows(entityId, events, explicit, options);
  if (explicit) for (const id of [...explicit.keys()]) yield* entityRows(id, [], explicit, options);
}

function groupPoints(list: readonly TrainingPoint[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const p of list) {
    if (!Number.isFinite(p.timeMs))
      throw new RangeError(`training point time must be finite, got ${p.timeMs} for ${p.entityId}`);
    const times = m.get(p.entityId);
    if (times) times.push(p.timeMs);
    else m.set(p.entityId, [p.timeMs]);
  }
  return m;
}

async function* entityRows(
  entityId: string,
  events: EngagementEvent[],
  explicit: Map<string, number[]> | null,
  options: BuildTrainingSetOptions,
): AsyncGenerator<TrainingRow> {
  events.sort(byTimeThenId);
  let targets: { timeMs: number; trigger?: EngagementEvent }[];
  if (explicit) {
    targets = (explicit.get(entityId) ?? []).sort((a, b) => a - b).map((timeMs) => ({ timeMs }));
    explicit.delete(entityId);
  } else {
    const { eventType, filter } = (
      options.points as { trigger: { eventType: string; filter?: (e: EngagementEvent) => boolean } }
    ).trigger;
    const ids = new Set<string>();
    targets = [];
    for (const e of events) {
      if (e.eventType !== eventType || ids.has(e.eventId) || (filter && !filter(e))) continue;
      ids.add(e.eventId);
      targets.push({ timeMs: e.eventTimeMs, trigger: e });
    }
  }
  if (targets.length === 0) return;

  const state = emptyState();
  let next = 0;
  for (const target of targets) {
    let end = next;
    while (end < events.length && events[end].eventTimeMs <= target.timeMs) end++;
    if (end > next) foldEvents(state, events.slice(next, end), options.registry);
    next = end;
    const values = evaluate(state, target.timeMs, options.registry, options.views);
    const row: TrainingRow = target.trigger
      ? { entityId, timeMs: target.timeMs, trigger: target.trigger, values }
      : { entityId, timeMs: target.timeMs, values };
    if (!options.label) {
      yield row;
      continue;
    }
    const labels = await options.label(row, events);
    if (labels !== null) yield { ...row, labels };
  }
}
