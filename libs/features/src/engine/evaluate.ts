import { PulseError } from '@pulse/core';
import type { FeatureValue, FeatureValues, ViewValues } from '../definition/feature-view.types';
import type { EntityState, ViewState } from './entity-state';
import type { FeatureRegistry } from './feature-registry';
import { mergeRange } from './partials';
import type { ViewPlan } from './plan';

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
export function evaluate(
  state: EntityState | null | undefined,
  asOfMs: number,
  registry: FeatureRegistry,
  viewNames?: readonly string[],
): FeatureValues {
  checkAsOf(state, asOfMs);
  const out: FeatureValues = {};
  const n = viewNames ? viewNames.length : registry.compiled.length;
  for (let i = 0; i < n; i++) {
    const reg = viewNames ? registry.registered(viewNames[i]) : registry.compiled[i];
    if (!reg) throw new RangeError(`unknown feature view "${viewNames?.[i]}"`);
    const vs = state?.s[reg.view.key];
    const plan = reg.plan;
    // Into arrays reused across calls (evaluation is synchronous): the records copy them.
    fillView(vs && vs.h === plan.fingerprint ? vs : undefined, asOfMs, plan, values, freshness);
    out[reg.view.name] = {
      version: reg.view.version,
      values: plan.toRecord(values),
      freshness: plan.toRecord(freshness),
    } satisfies ViewValues;
  }
  return out;
}

/**
 * One view — the registry's `position`-th — as evaluate gives it, but positional in the view's declared
 * feature order: written to `values` and `freshness` from index 0, the view's version returned. For a
 * reader that keeps columns (feature-service's batch answers): no records to build and take apart.
 */
export function evaluateViewColumns(
  state: EntityState | null | undefined,
  asOfMs: number,
  registry: FeatureRegistry,
  position: number,
  values: FeatureValue[],
  freshness: (number | null)[],
): number {
  checkAsOf(state, asOfMs);
  const reg = registry.compiled[position];
  if (reg === undefined)
    throw new RangeError(
      `position must be a view's index in the registry (0 to ${registry.compiled.length - 1}), got ${position}`,
    );
  const vs = state?.s[reg.view.key];
  fillView(vs && vs.h === reg.plan.fingerprint ? vs : undefined, asOfMs, reg.plan, values, freshness);
  return reg.view.version;
}

function checkAsOf(state: EntityState | null | undefined, asOfMs: number): void {
  if (!Number.isFinite(asOfMs)) throw new RangeError(`asOfMs must be finite, got ${asOfMs}`);
  if (state && state.w !== null && asOfMs < state.w) throw new AsOfBeforeWatermarkError(asOfMs, state.w);
}

/** The view's values and freshness, in its declared feature order (the plan's). */
function fillView(
  vs: ViewState | undefined,
  asOf: number,
  plan: ViewPlan,
  values: FeatureValue[],
  freshness: (number | null)[],
): void {
  const features = plan.features;
  const n = features.length;
  if (newest.length < n) newest.length = n;
  const p = scratch;
  for (let i = 0; i < n; i++) {
    const f = features[i];
    const acc = f.acc;
    if (acc === null) continue;
    let a: unknown[];
    let o: number;
    let found: boolean;
    if (vs === undefined) {
      a = p;
      o = 0;
      found = false;
    } else if (acc.tile === null) {
      a = vs.l;
      o = acc.offset;
      found = a[o] !== 0 && a[o] !== undefined;
    } else {
      const k = Math.floor(asOf / acc.tileMs);
      a = p;
      o = 0;
      found = mergeRange(acc, vs.t[acc.tile], k - f.fromTiles, k - f.toTiles, f.tileKey, p);
    }
    values[i] = (f.value as NonNullable<typeof f.value>)(found, a, o, f, asOf) as FeatureValue;
    const t = found ? (a[o + 1] as number) : null;
    newest[i] = t;
    freshness[i] = t === null ? null : asOf - t;
  }
  for (let i = 0; i < n; i++) {
    const f = features[i];
    if (f.acc !== null) continue;
    // Derived: from the operands' values; fresh as the newest of them.
    const ops = f.operandIndexes;
    let t: number | null = null;
    for (let j = 0; j < ops.length; j++) {
      operands[j] = values[ops[j]];
      const tj = newest[ops[j]];
      if (tj !== null && (t === null || tj > t)) t = tj;
    }
    values[i] = (f.combine as NonNullable<typeof f.combine>)(operands) as FeatureValue;
    freshness[i] = t === null ? null : asOf - t;
  }
}

const operands: FeatureValue[] = [];

const values: FeatureValue[] = [];
const newest: (number | null)[] = [];
const freshness: (number | null)[] = [];

/** Reused by every merge (evaluation is synchronous): a merged partial lives only until its value is read. */
const scratch: unknown[] = [0, 0, 0, 0, 0];
