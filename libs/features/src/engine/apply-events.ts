import type { EngagementEvent } from '@pulse/contracts';
import type { EntityState, ViewState } from './entity-state';
import type { FeatureRegistry } from './feature-registry';
import { updateAt } from './partials';
import type { EventRoute, ViewPlan } from './plan';

export interface ApplyCounts {
  /** Events folded into the state. */
  applied: number;
  /** Events skipped because their id was already applied. */
  duplicates: number;
  /** Events older than watermark − allowedLateness: not applied (send them to the DLQ). */
  tooLate: EngagementEvent[];
  /** Views (name@version) whose state was (re)started although the entity already had history. */
  initializedViews: string[];
}

export interface ApplyResult extends ApplyCounts {
  state: EntityState;
}

/**
 * Folds one entity's events into a copy of its state; the input state is not modified. Events may be
 * in any order; an event older than watermark − allowedLateness is reported too late, a repeated id
 * is skipped. The result depends only on the set of applied events.
 */
export function applyEvents(
  state: EntityState,
  events: readonly EngagementEvent[],
  registry: FeatureRegistry,
): ApplyResult {
  const copy = cloneState(state);
  return { state: copy, ...foldEvents(copy, events, registry) };
}

/** A deep copy (states are plain data: numbers, strings, arrays, plain objects and Maps). */
export function cloneState(state: EntityState): EntityState {
  return copy(state) as EntityState;
}

function copy(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(copy);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, copy(x)]));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = copy(x);
  return out;
}

/**
 * applyEvents without the copy: modifies `state` in place (the hot path, on states just parsed from
 * the store). The only implementation of event folding, online and offline alike.
 */
export function foldEvents(
  state: EntityState,
  events: readonly EngagementEvent[],
  registry: FeatureRegistry,
): ApplyCounts {
  const entityId = events.length > 0 ? events[0].entityId : '';
  for (let k = 1; k < events.length; k++) {
    if (events[k].entityId !== entityId)
      throw new RangeError(`applyEvents takes one entity's events; got ${entityId} and ${events[k].entityId}`);
  }
  return foldEntityEvents(state, events, registry);
}

/**
 * @internal foldEvents without the check that the events are one entity's, for a caller that grouped
 * them by entity (foldBatchIntoStore): comparing every event's entity id (another string object with
 * the same text each time) was ~10 % of the fold's profile samples in the ingest benchmark. A caller
 * that classified the events already (classifyEvents, on this state) passes its verdicts, from `at` on.
 */
export function foldEntityEvents(
  state: EntityState,
  events: readonly EngagementEvent[],
  registry: FeatureRegistry,
  verdicts?: Uint8Array,
  at = 0,
): ApplyCounts {
  if (verdicts === undefined) {
    verdicts = verdictScratch(events.length);
    at = 0;
    classifyEvents(state, events, registry, verdicts, 0);
  } else if (at < 0 || at + events.length > verdicts.length) {
    throw new RangeError(
      `foldEntityEvents: verdicts hold ${verdicts.length}, the events need ${events.length} from ${at}`,
    );
  }
  const compiled = registry.compiled;
  const initializedViews: string[] = [];
  const viewStates: ViewState[] = new Array(compiled.length);
  for (let i = 0; i < compiled.length; i++) {
    const { view, plan } = compiled[i];
    let vs = state.s[view.key];
    if (!vs || vs.h !== plan.fingerprint) {
      vs = { h: plan.fingerprint, l: new Array(plan.lifetimeWidth).fill(0), t: {} };
      state.s[view.key] = vs;
      if (state.w !== null) initializedViews.push(view.key);
    }
    viewStates[i] = vs;
  }

  const d = state.d;
  let applied = 0;
  let duplicates = 0;
  const tooLate: EngagementEvent[] = [];
  for (let k = 0; k < events.length; k++) {
    const e = events[k];
    const verdict = verdicts[at + k];
    if (verdict === Verdict.duplicate) {
      duplicates++;
      continue;
    }
    if (verdict === Verdict.tooLate) {
      tooLate.push(e);
      continue;
    }
    const t = e.eventTimeMs;
    d.set(e.eventId, t);
    if (state.w === null || t > state.w) state.w = t;
    const w = state.w;
    applied++;

    const routes = registry.routesByType.get(e.eventType);
    if (routes !== undefined) {
      for (let r = 0; r < routes.length; r++) foldInto(viewStates[routes[r].view], routes[r].route, e, t, w);
    }
  }

  if (applied > 0) compact(state, registry, viewStates);
  return { applied, duplicates, tooLate, initializedViews };
}

/** What the fold does with an event (classifyEvents). */
export const Verdict = { apply: 0, duplicate: 1, tooLate: 2 } as const;

/**
 * What foldEvents does with each event of one entity's list, decided without folding anything (the
 * state is not modified) and written to verdicts[at + k]: a known id — in the state, or applied
 * earlier in the list — is a duplicate (never late); an event older than the watermark −
 * allowedLateness (the watermark as the earlier events of the list moved it) is too late; any other
 * one is applied. The only place these rules are written: the fold follows these verdicts, and
 * foldBatchIntoStore decides with them what goes to the event log before it folds, so the log write
 * runs meanwhile. Returns how many are too late.
 */
export function classifyEvents(
  state: EntityState,
  events: readonly EngagementEvent[],
  registry: FeatureRegistry,
  verdicts: Uint8Array,
  at = 0,
): number {
  if (at < 0 || at + events.length > verdicts.length)
    throw new RangeError(
      `classifyEvents: verdicts hold ${verdicts.length}, the events need ${events.length} from ${at}`,
    );
  const lateness = registry.allowedLatenessMs;
  const d = state.d;
  // The ids this list applies, for a repeat within it: a scan of a few earlier events, a set for long lists.
  const many = events.length > 16 ? new Set<string>() : undefined;
  let w = state.w;
  let late = 0;
  for (let k = 0; k < events.length; k++) {
    const e = events[k];
    const id = e.eventId;
    if (d.has(id) || (many !== undefined ? many.has(id) : appliedEarlier(events, verdicts, at, k, id))) {
      verdicts[at + k] = Verdict.duplicate;
      continue;
    }
    const t = e.eventTimeMs;
    if (w !== null && t < w - lateness) {
      verdicts[at + k] = Verdict.tooLate;
      late++;
      continue;
    }
    verdicts[at + k] = Verdict.apply;
    many?.add(id);
    if (w === null || t > w) w = t;
  }
  return late;
}

function appliedEarlier(
  events: readonly EngagementEvent[],
  verdicts: Uint8Array,
  at: number,
  k: number,
  id: string,
): boolean {
  for (let i = 0; i < k; i++) if (verdicts[at + i] === Verdict.apply && events[i].eventId === id) return true;
  return false;
}

// Verdicts of a fold whose caller did not classify (synchronous use only: classify, then fold).
let scratch = new Uint8Array(256);
function verdictScratch(n: number): Uint8Array {
  if (scratch.length < n) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
  return scratch;
}

/** One applied event into one view's state. */
function foldInto(vs: ViewState, route: EventRoute, e: EngagementEvent, t: number, w: number): void {
  const lifetime = route.lifetime;
  for (let a = 0; a < lifetime.length; a++) {
    const acc = lifetime[a];
    if (acc.predicate !== null && !acc.predicate(e)) continue;
    const v = acc.read(e);
    if (v !== undefined) updateAt(acc, vs.l, acc.offset, t, e.eventId, v);
  }
  for (let r = 0; r < route.groups.length; r++) {
    const { group, accs } = route.groups[r];
    const idx = Math.floor(t / group.tileMs);
    // A tile already behind the retention horizon can never be read again (every later as-of time
    // is ≥ the watermark): leaving it out keeps the state a function of the event set.
    if (idx <= Math.floor(w / group.tileMs) - group.spanTiles) continue;
    let tiles: unknown[] | undefined;
    let at = -1;
    for (let a = 0; a < accs.length; a++) {
      const acc = accs[a];
      if (acc.predicate !== null && !acc.predicate(e)) continue;
      const v = acc.read(e);
      if (v === undefined) continue;
      // The tile entry is created by the first accumulator that takes the event.
      if (tiles === undefined) {
        tiles = vs.t[group.tile] ?? (vs.t[group.tile] = []);
        at = tileAt(tiles, idx, group.size);
      }
      updateAt(acc, tiles, at + acc.offset, t - idx * group.tileMs, e.eventId, v);
    }
  }
}

/**
 * Where tile `idx` starts in a flat tile array sorted by index (inserted, all fields 0, if absent);
 * events mostly hit the newest tile, so the search starts there.
 */
function tileAt(tiles: unknown[], idx: number, size: number): number {
  let i = tiles.length - size;
  while (i >= 0 && (tiles[i] as number) > idx) i -= size;
  if (i >= 0 && tiles[i] === idx) return i;
  const at = i + size;
  const entry: unknown[] = new Array(size).fill(0);
  entry[0] = idx;
  if (at === tiles.length) for (let k = 0; k < size; k++) tiles.push(entry[k]);
  else tiles.splice(at, 0, ...entry);
  return at;
}

/**
 * Drops what the new watermark makes unreachable: old ids, tiles behind the horizon, and the views the
 * registry no longer has, which stop taking events here (kept, one registered again later would look
 * current although it missed the events in between); settles what no late event can reorder any more
 * (a streak's outcomes, a top-k summary's pending values).
 */
function compact(state: EntityState, registry: FeatureRegistry, viewStates: ViewState[]): void {
  for (const key in state.s) if (!registry.viewKeys.has(key)) delete state.s[key];
  const w = state.w as number;
  const idCutoff = w - registry.dedupRetentionMs;
  // forEach, not for-of: no [id, time] pair per entry (deleting the visited entry is allowed).
  const d = state.d;
  d.forEach((t, id) => {
    if (t < idCutoff) d.delete(id);
  });
  const lateCutoff = w - registry.allowedLatenessMs;
  const compiled = registry.compiled;
  for (let i = 0; i < compiled.length; i++) {
    const plan = compiled[i].plan;
    const vs = viewStates[i];
    for (const g of plan.groups) {
      const tiles = vs.t[g.tile];
      if (!tiles) continue;
      const horizon = Math.floor(w / g.tileMs) - g.spanTiles;
      const size = g.size;
      let k = 0;
      while (k < tiles.length && (tiles[k] as number) <= horizon) k += size;
      if (k === tiles.length) delete vs.t[g.tile];
      else if (k > 0) tiles.splice(0, k);
    }
    settle(plan, vs, lateCutoff);
  }
}

/** Lets the accumulators with a settle step settle what is older than the cutoff (see AccumulatorSpec.settle). */
function settle(plan: ViewPlan, vs: ViewState, cutoff: number): void {
  const { lifetime, groups } = plan.settling;
  for (let a = 0; a < lifetime.length; a++) {
    const acc = lifetime[a];
    (acc.spec.settle as NonNullable<typeof acc.spec.settle>)(acc, vs.l, acc.offset, cutoff);
  }
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g];
    const tiles = vs.t[group.tile];
    if (tiles === undefined) continue;
    for (let i = 0; i < tiles.length; i += group.size) {
      const rel = cutoff - (tiles[i] as number) * group.tileMs;
      for (const acc of group.settling)
        (acc.spec.settle as NonNullable<typeof acc.spec.settle>)(acc, tiles, i + acc.offset, rel);
    }
  }
}
