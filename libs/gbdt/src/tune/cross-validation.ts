/**
 * Train / validation splits for tuning: k-fold cross-validation (stratified by class for binary and
 * multiclass, by whole queries for ranking, plain otherwise) or a single holdout, all seeded.
 */
import { createDataset, type Dataset } from '../data/dataset';
import type { Objective } from '../model/model.types';
import { Prng } from '@pulse/core';

export type CvSpec = { folds: number } | { holdout: number };

export interface Split {
  train: Dataset;
  valid: Dataset;
}

/**
 * Fold index (0..folds-1) per row. Classification: each class's rows are shuffled and dealt round-
 * robin, so every fold has the class proportions. Ranking: whole queries are shuffled and dealt to
 * the fold with the fewest rows so far. Otherwise: rows shuffled and dealt round-robin.
 */
export function assignFolds(data: Dataset, objective: Objective, folds: number, seed: number): Int32Array {
  const rng = new Prng(seed);
  const fold = new Int32Array(data.numRows);
  if (objective === 'rank:ndcg') {
    if (!data.group) throw new RangeError('ranking data needs query groups to split by query');
    if (data.group.length < folds) throw new RangeError(`${data.group.length} queries cannot fill ${folds} folds`);
    const starts: number[] = [];
    let s = 0;
    for (const size of data.group) {
      starts.push(s);
      s += size;
    }
    const order = shuffle(Array.from(data.group.keys()), rng);
    const rows = new Array<number>(folds).fill(0);
    order.forEach((q, i) => {
      // The first `folds` queries go one per fold, then each to the lightest fold.
      const f = i < folds ? i : rows.indexOf(Math.min(...rows));
      rows[f] += data.group![q];
      fold.fill(f, starts[q], starts[q] + data.group![q]);
    });
    return fold;
  }
  const strata = new Map<number, number[]>();
  const stratified = objective === 'binary:logistic' || objective === 'multi:softprob';
  for (let r = 0; r < data.numRows; r++) {
    const key = stratified ? data.label![r] : 0;
    let list = strata.get(key);
    if (!list) strata.set(key, (list = []));
    list.push(r);
  }
  let next = 0;
  for (const key of [...strata.keys()].sort((a, b) => a - b)) {
    for (const r of shuffle(strata.get(key)!, rng)) fold[r] = next++ % folds;
  }
  return fold;
}

/** The splits of a CvSpec: k (train, valid) pairs, or one pair for a holdout fraction. */
export function makeSplits(data: Dataset, objective: Objective, cv: CvSpec, seed: number): Split[] {
  if ('folds' in cv) {
    const k = cv.folds;
    if (!Number.isInteger(k) || k < 2) throw new RangeError(`cv.folds must be an integer >= 2, got ${k}`);
    const fold = assignFolds(data, objective, k, seed);
    return Array.from({ length: k }, (_, f) => ({
      train: subsetDataset(data, fold, (x) => x !== f),
      valid: subsetDataset(data, fold, (x) => x === f),
    }));
  }
  const h = cv.holdout;
  if (typeof h !== 'number' || !(h > 0 && h < 1))
    throw new RangeError(`cv.holdout must be a fraction in (0, 1), got ${h}`);
  // A holdout is one fold of a k-fold assignment with k ~ 1/h, so it is stratified / by query too.
  const k = Math.max(2, Math.round(1 / h));
  const fold = assignFolds(data, objective, k, seed);
  return [{ train: subsetDataset(data, fold, (x) => x !== 0), valid: subsetDataset(data, fold, (x) => x === 0) }];
}

/** The rows whose fold passes `keep`, in their original order (so queries stay contiguous). */
export function subsetDataset(data: Dataset, fold: Int32Array, keep: (f: number) => boolean): Dataset {
  const rows: number[] = [];
  for (let r = 0; r < data.numRows; r++) if (keep(fold[r])) rows.push(r);
  const pick = <T extends Float32Array | Float64Array>(a: T): T => {
    const out = new (a.constructor as new (n: number) => T)(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = a[rows[i]];
    return out;
  };
  let group: number[] | undefined;
  if (data.group) {
    group = [];
    let r = 0;
    for (const size of data.group) {
      if (keep(fold[r])) group.push(size); // whole queries are in one fold
      r += size;
    }
  }
  return createDataset({
    columns: data.columns.map(pick),
    label: data.label ? pick(data.label) : undefined,
    weight: data.weight ? pick(data.weight) : undefined,
    group,
    featureNames: data.featureNames,
    numRows: rows.length,
  });
}

function shuffle<T>(items: T[], rng: Prng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
