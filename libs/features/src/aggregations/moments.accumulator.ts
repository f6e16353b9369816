/**
 * Exact moments: [n, t, S, S2?], S the sum (S2 the sum of squares, when a variance uses it) of the
 * values scaled to integers at the feature's precision, as exact integers (entity-state.ts ExactInt):
 * no sum depends on the order of its additions.
 */
import type { ExactInt } from '../engine/entity-state';
import { addExact, squareExact, toBigInt, toNumber } from '../engine/exact-int';
import { defineAccumulator, option, type Fields } from './aggregation.types';

export const DEFAULT_DECIMALS = 4;

export interface MomentsConfig {
  /** 10^decimals: values are aggregated as round(v · scale). */
  readonly scale: number;
}

/** The precision option of sum, mean and variance. */
export const decimalsOption = option<number>({
  required: false,
  describe: `an integer in [0, 9] (default ${DEFAULT_DECIMALS})`,
  check: (v) =>
    Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 9
      ? undefined
      : `decimals must be an integer in [0, 9], got ${String(v)}`,
});

export const momentsAccumulator = defineAccumulator<MomentsConfig, { decimals: number }>({
  kind: 'moments',
  reads: 'number',
  config: (f) => ({ scale: 10 ** (f.decimals ?? DEFAULT_DECIMALS) }),
  signature: (f) => f.decimals ?? DEFAULT_DECIMALS,
  width: (acc) => (acc.extended ? 4 : 3),
  update(acc, a, o, n, _t, _id, v) {
    const q = Math.round((v as number) * acc.config.scale) + 0; // + 0: never -0
    // A value too large for exact integers at this precision cannot be summed exactly: left out.
    if (!Number.isSafeInteger(q)) return false;
    a[o + 2] = n === 0 ? q : addExact(a[o + 2] as ExactInt, q);
    if (acc.extended) a[o + 3] = n === 0 ? squareExact(q) : addExact(a[o + 3] as ExactInt, squareExact(q));
    return true;
  },
  start(acc, a, p, _base, out) {
    out[2] = a[p + 2];
    if (acc.extended) out[3] = a[p + 3];
  },
  merge(acc, a, p, _base, _t, _newest, out) {
    out[2] = addExact(out[2] as ExactInt, a[p + 2] as ExactInt);
    if (acc.extended) out[3] = addExact(out[3] as ExactInt, a[p + 3] as ExactInt);
  },
});

export function momentsSum(p: Fields, o: number, scale: number): number {
  return toNumber(p[o + 2] as ExactInt) / scale;
}

export function momentsMean(p: Fields, o: number, scale: number): number {
  return toNumber(p[o + 2] as ExactInt) / ((p[o] as number) * scale);
}

/** Population variance, from exact integer moments (no cancellation error). */
export function momentsVariance(p: Fields, o: number, scale: number): number {
  const s = p[o + 2];
  const s2 = p[o + 3];
  if (typeof s === 'number' && typeof s2 === 'number') {
    // Products below 2^53 are exact in floating point too: the same result as the BigInt path, cheaper.
    const n = p[o] as number;
    const a = n * s2;
    const b = s * s;
    if (Number.isSafeInteger(a) && Number.isSafeInteger(b) && Number.isSafeInteger(n * n))
      return (a - b) / (n * n) / (scale * scale);
  }
  const n = BigInt(p[o] as number);
  const num = n * toBigInt(p[o + 3] as ExactInt) - toBigInt(p[o + 2] as ExactInt) ** 2n;
  return Number(num) / Number(n * n) / (scale * scale);
}
