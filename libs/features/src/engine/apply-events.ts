import type { EngagementEvent } from '@pulse/contracts';
import type { EntityState, TileEntry, ViewState } from './entity-state';
import type { FeatureRegistry } from './feature-registry';
import { finaliseStreak, updateInTile, updatePartial } from './partials';

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
export function applyEvents(state: EntityState, events: readonly EngagementEvent[], registry: FeatureRegistry): ApplyResult {
  const copy = cloneState(state);
  return { state: copy, ...foldEvents(copy, events, registry) };
}

export function cloneState(state: EntityState): EntityState {
  return JSON.parse(JSON.stringify(state)) as EntityState;
}

/**
 * applyEvents without the copy: modifies `state` in place (the hot path, on states just parsed from
 * the store). The only implementation of event folding, online and offline alike.
 */
export function foldEvents(state: EntityState, events: readonly EngagementEvent[], registry: FeatureRegistry): ApplyCounts {
  const lateness = registry.allowedLatenessMs;
  const compiled = registry.compiled;
  const initializedViews: string[] = [];
  const viewStates: ViewState[] = new Array(compiled.length);
  for (let i = 0; i < compiled.length; i++) {
    const { view, plan } = compiled[i];
    let vs = state.s[view.key];
    if (!vs || vs.h !== plan.fingerprint) {
      vs = { h: plan.fingerprint, l: new Array(plan.lifetime.length).fill(0), t: {} };
      state.s[view.key] = vs;
      if (state.w !== null) initializedViews.push(view.key);
    }
    viewStates[i] = vs;
  }

  const d = state.d;
  const entityId = events.length > 0 ? events[0].entityId : '';
  let applied = 0;
  let duplicates = 0;
  const tooLate: EngagementEvent[] = [];
  for (let k = 0; k < events.length; k++) {
    const e = events[k];
    if (e.entityId !== entityId) throw new RangeError(`applyEvents takes one entity's events; got ${entityId} and ${e.entityId}`);
    const t = e.eventTimeMs;
    if (Object.prototype.hasOwnProperty.call(d, e.eventId)) {
      duplicates++;
      continue;
    }
    if (state.w !== null && t < state.w - lateness) {
      tooLate.push(e);
      continue;
    }
    d[e.eventId] = t;
    if (state.w === null || t > state.w) state.w = t;
    const w = state.w;
    applied++;

    for (let i = 0; i < compiled.length; i++) {
      const accs = compiled[i].plan.byEventType.get(e.eventType);
      if (accs === undefined) continue;
      const vs = viewStates[i];
      for (let a = 0; a < accs.length; a++) {
        const acc = accs[a];
        if (acc.predicate !== null && !acc.predicate(e)) continue;
        const v = acc.read(e);
        if (v === undefined) continue;
        if (acc.tile === null) {
          vs.l[acc.slot] = updatePartial(acc, vs.l[acc.slot], t, e.eventId, v);
          continue;
        }
        const idx = Math.floor(t / acc.tileMs);
        // A tile already behind the retention horizon can never be read again (every later as-of
        // time is ≥ the watermark): leaving it out keeps the state a function of the event set.
        if (idx <= Math.floor(w / acc.tileMs) - acc.retentionTiles) continue;
        const entry = tileEntry(vs.t[acc.tile] ?? (vs.t[acc.tile] = []), idx, acc.groupSize);
        updateInTile(acc, entry, t - idx * acc.tileMs, e.eventId, v);
      }
    }
  }

  if (applied > 0) compact(state, registry, viewStates);
  return { applied, duplicates, tooLate, initializedViews };
}

/** The entry of tile `idx` in a list sorted by index (created if absent); events mostly hit the newest tile. */
function tileEntry(list: TileEntry[], idx: number, size: number): TileEntry {
  let i = list.length;
  while (i > 0 && (list[i - 1][0] as number) > idx) i--;
  if (i > 0 && list[i - 1][0] === idx) return list[i - 1];
  const entry: TileEntry = new Array(size).fill(0);
  entry[0] = idx;
  list.splice(i, 0, entry);
  return entry;
}

/** Drops what the new watermark makes unreachable: old ids, tiles behind the horizon, settled streak outcomes. */
function compact(state: EntityState, registry: FeatureRegistry, viewStates: ViewState[]): void {
  const w = state.w as number;
  const idCutoff = w - registry.dedupRetentionMs;
  for (const id in state.d) if (state.d[id] < idCutoff) delete state.d[id];
  const lateCutoff = w - registry.allowedLatenessMs;
  const compiled = registry.compiled;
  for (let i = 0; i < compiled.length; i++) {
    const plan = compiled[i].plan;
    const vs = viewStates[i];
    for (const g of plan.groups) {
      const tiles = vs.t[g.tile];
      if (!tiles) continue;
      const horizon = Math.floor(w / g.tileMs) - g.spanTiles;
      let k = 0;
      while (k < tiles.length && (tiles[k][0] as number) <= horizon) k++;
      if (k === tiles.length) delete vs.t[g.tile];
      else if (k > 0) tiles.splice(0, k);
    }
    for (const acc of plan.lifetime) {
      const p = vs.l[acc.slot];
      if (acc.kind === 'streak' && p !== 0) finaliseStreak(p, lateCutoff);
    }
  }
}
