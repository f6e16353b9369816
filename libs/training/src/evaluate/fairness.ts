import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { auc } from '@pulse/ml-metrics';
import type { FairnessByAttribute, FairnessGroup } from './evaluation.types';

/**
 * Per-group rates of a binary decision (`predicted` 0/1 against `actual` 0/1) and the two gaps as
 * Fairlearn defines them: demographic parity difference = max − min selection rate over groups;
 * equalized odds difference = the larger of the max − min true-positive rate and the max − min
 * false-positive rate. Rows without a group ('') are left out; AUC per group from `scores`.
 */
export function fairnessByAttribute(
  attribute: string,
  groupsOfRows: readonly string[],
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  scores: ArrayLike<number>,
  positiveClass: string,
  clusters?: readonly string[],
): FairnessByAttribute {
  const byGroup = new Map<string, number[]>();
  groupsOfRows.forEach((g, i) => {
    if (g === '') return;
    const rows = byGroup.get(g);
    if (rows) rows.push(i);
    else byGroup.set(g, [i]);
  });
  const groups: FairnessGroup[] = [...byGroup.keys()].sort().map((group) => {
    const rows = byGroup.get(group)!;
    let sel = 0;
    let pos = 0;
    let tp = 0;
    let fp = 0;
    let correct = 0;
    for (const i of rows) {
      const a = actual[i] === 1;
      const p = predicted[i] === 1;
      if (p) sel++;
      if (a) pos++;
      if (a && p) tp++;
      if (!a && p) fp++;
      if (a === p) correct++;
    }
    const neg = rows.length - pos;
    const y = rows.map((i) => actual[i]);
    return {
      group,
      count: rows.length,
      selectionRate: sel / rows.length,
      baseRate: pos / rows.length,
      truePositiveRate: pos > 0 ? tp / pos : null,
      falsePositiveRate: neg > 0 ? fp / neg : null,
      accuracy: correct / rows.length,
      auc:
        pos > 0 && neg > 0
          ? auc(
              y,
              rows.map((i) => scores[i]),
            )
          : null,
    };
  });
  const spread = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length < 2 ? 0 : Math.max(...v) - Math.min(...v);
  };
  const noise = clusters
    ? gapNoise(
        [...byGroup.keys()].sort().map((g) => byGroup.get(g)!),
        actual,
        predicted,
        clusters,
      )
    : null;
  const dp = spread(groups.map((g) => g.selectionRate));
  const eo = Math.max(spread(groups.map((g) => g.truePositiveRate)), spread(groups.map((g) => g.falsePositiveRate)));
  return {
    attribute,
    groups,
    positiveClass,
    ...(noise
      ? {
          demographicParityLowerBound: Math.max(0, dp - pairsZ(groups.length) * noise.selection),
          equalizedOddsLowerBound: Math.max(0, eo - pairsZ(groups.length) * Math.max(noise.tpr, noise.fpr)),
        }
      : {}),
    demographicParityDifference: dp,
    equalizedOddsDifference: eo,
  };
}

/**
 * The one-sided 95 % normal quantile, Bonferroni-corrected for the k(k−1)/2 pairs the largest gap is
 * taken over: a gap counts as real when even its lower bound is over the maximum.
 */
function pairsZ(groups: number): number {
  const pairs = Math.max(1, (groups * (groups - 1)) / 2);
  return normalQuantile(1 - 0.05 / pairs, 0, 1);
}

/**
 * The standard error of a difference between two groups' rates, for the noisiest pair, with rows
 * clustered by entity (a learner's examples move together, so rows are not independent): each rate
 * is a ratio estimator over entities, its variance Σ(y_j − r·n_j)² / (m(m−1)·n̄²).
 */
function gapNoise(
  groups: readonly number[][],
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  clusters: readonly string[],
): { selection: number; tpr: number; fpr: number } {
  const se = (rows: number[], den: (i: number) => boolean, num: (i: number) => boolean): number => {
    const byEntity = new Map<string, [number, number]>();
    for (const i of rows) {
      if (!den(i)) continue;
      const c = byEntity.get(clusters[i]) ?? [0, 0];
      c[0] += num(i) ? 1 : 0;
      c[1] += 1;
      byEntity.set(clusters[i], c);
    }
    const m = byEntity.size;
    if (m < 2) return Infinity;
    let y = 0;
    let n = 0;
    for (const [a, b] of byEntity.values()) {
      y += a;
      n += b;
    }
    const r = y / n;
    const nBar = n / m;
    let ss = 0;
    for (const [a, b] of byEntity.values()) ss += (a - r * b) ** 2;
    return Math.sqrt(ss / (m * (m - 1) * nBar * nBar));
  };
  const worst = (f: (rows: number[]) => number) => {
    const s = groups.map(f).filter((v) => Number.isFinite(v));
    if (s.length < 2) return 0;
    s.sort((a, b) => b - a);
    return Math.sqrt(s[0] ** 2 + s[1] ** 2);
  };
  const sel = (i: number) => predicted[i] === 1;
  return {
    selection: worst((rows) => se(rows, () => true, sel)),
    tpr: worst((rows) => se(rows, (i) => actual[i] === 1, sel)),
    fpr: worst((rows) => se(rows, (i) => actual[i] !== 1, sel)),
  };
}
