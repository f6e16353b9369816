import { PulseError } from '@pulse/core';
import type { FeatureValue, FeatureValues, ViewValues } from '../definition/feature-view.types';
import type { EntityState, Partial, ViewState } from './entity-state';
import type { FeatureRegistry } from './feature-registry';
import { bagMode, mergePartials, partialInTile, toAbsolute, momentsMean, momentsSum, momentsVariance, streakValue } from './partials';
import type { AccumulatorPlan, FeaturePlan, ViewPlan } from './plan';

/**
 * The state already holds events newer than the requested time, so it cannot answer as of that time;
 * answer through the offline path (replay the event log up to the time) instead.
 */
export class AsOfBeforeWatermarkError extends PulseError {
  constructor(
    readonly asOfMs: number,
    readonly watermarkMs: number,
  ) {
    super(`as-of time ${asOfMs} is before the state's watermark ${watermarkMs}; replay the event log up to it instead`);
  }
}

/** Whether evaluate(state, asOfMs) is exact (the state holds no event after asOfMs). */
export function canEvaluateAt(state: EntityState | null | undefined, asOfMs: number): boolean {
  return !state || state.w === null || asOfMs >= state.w;
}

/**
 * Feature values as of `asOfMs` (inclusive: every applied event with time ≤ asOfMs counts) for the
 * registry's views, or the named subset. A windowed feature covers whole tiles: with tile size S and
 * a window of length L ending `offset` before the as-of time, it reads the tiles with index in
 * [k − (offset+L)/S + 1, k − offset/S], k = floor(asOfMs / S) — e.g. `7d` = the UTC day of asOfMs so
 * far plus the 6 days before it. Requires asOfMs ≥ the state's watermark (AsOfBeforeWatermarkError).
 */
export function evaluate(state: EntityState | null | undefined, asOfMs: number, registry: FeatureRegistry, viewNames?: readonly string[]): FeatureValues {
  if (!Number.isFinite(asOfMs)) throw new RangeError(`asOfMs must be finite, got ${asOfMs}`);
  if (state && state.w !== null && asOfMs < state.w) throw new AsOfBeforeWatermarkError(asOfMs, state.w);
  const out: FeatureValues = {};
  const names = viewNames ?? registry.compiled.map((r) => r.view.name);
  for (const name of names) {
    const reg = registry.registered(name);
    if (!reg) throw new RangeError(`unknown feature view "${name}"`);
    const vs = state?.s[reg.view.key];
    out[name] = evaluateView(vs && vs.h === reg.plan.fingerprint ? vs : undefined, asOfMs, reg.view.version, reg.plan);
  }
  return out;
}

function evaluateView(vs: ViewState | undefined, asOf: number, version: number, plan: ViewPlan): ViewValues {
  const values: Record<string, FeatureValue> = {};
  const freshness: Record<string, number | null> = {};
  const newest: Record<string, number | null> = {};
  const merged = new Map<string, Partial>();
  for (const f of plan.features) {
    if (f.acc === null) continue;
    const p = windowPartial(vs, f, asOf, merged);
    values[f.name] = valueOf(f, f.acc, p, asOf);
    newest[f.name] = p === 0 ? null : (p[1] as number);
    freshness[f.name] = p === 0 ? null : asOf - (p[1] as number);
  }
  for (const f of plan.features) {
    if (f.acc !== null) continue;
    const num = values[f.numerator as string] as number | null;
    const den = values[f.denominator as string] as number | null;
    values[f.name] = num === null || den === null || den === 0 ? null : num / den;
    const tn = newest[f.numerator as string];
    const td = newest[f.denominator as string];
    const t = tn === null ? td : td === null ? tn : Math.max(tn, td);
    freshness[f.name] = t === null ? null : asOf - t;
  }
  // Declared order, whatever the evaluation order.
  const ordered: Record<string, FeatureValue> = {};
  const orderedFresh: Record<string, number | null> = {};
  for (const f of plan.features) {
    ordered[f.name] = values[f.name];
    orderedFresh[f.name] = freshness[f.name];
  }
  return { version, values: ordered, freshness: orderedFresh };
}

function windowPartial(vs: ViewState | undefined, f: FeaturePlan, asOf: number, cache: Map<string, Partial>): Partial {
  const acc = f.acc as AccumulatorPlan;
  if (!vs) return 0;
  if (acc.tile === null) return vs.l[acc.slot] ?? 0;
  const k = Math.floor(asOf / acc.tileMs);
  const lo = k - f.fromTiles;
  const hi = k - f.toTiles;
  const key = `${acc.tile}:${acc.slot}:${lo}:${hi}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const tiles = vs.t[acc.tile];
  const parts: unknown[][] = [];
  if (tiles) {
    // Sorted by tile index: a canonical merge order, whatever the arrival order.
    for (const entry of tiles) {
      const i = entry[0] as number;
      if (i < lo) continue;
      if (i > hi) break;
      const p = partialInTile(acc, entry);
      if (p !== 0) parts.push(toAbsolute(acc, p, i * acc.tileMs));
    }
  }
  const merged = mergePartials(acc, parts);
  cache.set(key, merged);
  return merged;
}

function valueOf(f: FeaturePlan, acc: AccumulatorPlan, p: Partial, asOf: number): FeatureValue {
  switch (f.aggregation) {
    case 'count':
      return p === 0 ? 0 : (p[0] as number);
    case 'timeSinceLast':
      return p === 0 ? null : asOf - (p[1] as number);
    case 'sum':
      return p === 0 ? 0 : momentsSum(p, acc.scale);
    case 'mean':
      return p === 0 ? null : momentsMean(p, acc.scale);
    case 'variance':
      return p === 0 ? null : momentsVariance(p, acc.scale);
    case 'min':
    case 'max':
      return p === 0 ? null : (p[2] as number);
    case 'first':
      return p === 0 ? null : (p[4] as FeatureValue);
    case 'last':
      return p === 0 ? null : (p[3] as FeatureValue);
    case 'distinctCount':
      return p === 0 ? 0 : Object.keys(p[2] as object).length;
    case 'mode':
      return p === 0 ? null : bagMode(p[2] as Record<string, number>, f.valueType === 'number');
    case 'currentStreak':
      return p === 0 ? 0 : streakValue(p);
    case 'ratio':
      return null;
  }
}
