// Ranking metrics over query groups, with XGBoost 1.7's definitions (rank_metric.cc) so the numbers
// agree with `ndcg@k` / `map@k` in XGBoost's evaluation log:
// - rows are ranked by descending score; tied scores keep their input order (a stable sort);
// - NDCG gain is 2^rel - 1 and the discount 1 / log2(rank + 1), rank counted from 1;
// - a query with no relevant item (ideal DCG 0, or no hit for MAP) scores 1 by default, as XGBoost's
//   `ndcg@k` / `map@k` do (its `ndcg@k-` variant scores 0: pass emptyQueryScore: 0);
// - the result is the unweighted mean over queries.
import { assertNumbers, assertNonEmpty, assertSameLength, type Numbers } from './guards';

export interface RankingOptions {
  /** Query sizes (contiguous rows); they must sum to the number of rows. Default: one query of all rows. */
  group?: Numbers;
  /** Score of a query with no relevant item; default 1 (XGBoost). */
  emptyQueryScore?: number;
}

/** Mean NDCG@k over queries. `yTrue` holds graded relevance (>= 0); k may be Infinity for the whole list. */
export function ndcgAtK(yTrue: Numbers, scores: Numbers, k: number, options: RankingOptions = {}): number {
  return meanOverQueries(yTrue, scores, k, options, (rel, order, top) => {
    let dcg = 0;
    for (let r = 0; r < top; r++) dcg += gain(rel[order[r]]) / Math.log2(r + 2);
    const ideal = Array.from(rel).sort((a, b) => b - a);
    let idcg = 0;
    for (let r = 0; r < top; r++) idcg += gain(ideal[r]) / Math.log2(r + 2);
    return idcg === 0 ? undefined : dcg / idcg;
  });
}

/**
 * Mean average precision at k over queries, XGBoost's `map@k`: an item is relevant when its label
 * is > 0; AP@k = (sum over relevant items ranked within the top k of precision at their rank) divided
 * by the number of relevant items in the whole query (XGBoost divides by all hits, not min(k, hits)).
 */
export function mapAtK(yTrue: Numbers, scores: Numbers, k: number, options: RankingOptions = {}): number {
  return meanOverQueries(yTrue, scores, k, options, (rel, order, top) => {
    let hits = 0;
    let sum = 0;
    for (let r = 0; r < order.length; r++) {
      if (rel[order[r]] > 0) {
        hits++;
        if (r < top) sum += hits / (r + 1);
      }
    }
    return hits === 0 ? undefined : sum / hits;
  });
}

type QueryScore = (relevance: Numbers, order: number[], top: number) => number | undefined;

function meanOverQueries(
  yTrue: Numbers,
  scores: Numbers,
  k: number,
  options: RankingOptions,
  score: QueryScore,
): number {
  assertNumbers(yTrue, 'yTrue');
  assertNumbers(scores, 'scores');
  assertNonEmpty(yTrue, 'yTrue');
  assertSameLength(yTrue, 'yTrue', scores, 'scores');
  if (typeof k !== 'number') throw new TypeError(`k must be a number, got ${typeof k}`);
  if (!(k === Infinity || (Number.isInteger(k) && k >= 1)))
    throw new RangeError(`k must be an integer >= 1 (or Infinity), got ${k}`);
  const empty = options.emptyQueryScore ?? 1;
  const sizes = options.group ?? [yTrue.length];
  assertNumbers(sizes, 'group');
  let total = 0;
  for (let q = 0; q < sizes.length; q++) {
    if (!Number.isInteger(sizes[q]) || sizes[q] < 1)
      throw new RangeError(`group[${q}] must be an integer >= 1, got ${sizes[q]}`);
    total += sizes[q];
  }
  if (total !== yTrue.length)
    throw new RangeError(`group sizes sum to ${total}, expected ${yTrue.length} (the number of rows)`);
  for (let i = 0; i < yTrue.length; i++) {
    if (!(yTrue[i] >= 0)) throw new RangeError(`yTrue[${i}] must be a relevance >= 0, got ${yTrue[i]}`);
    if (Number.isNaN(scores[i])) throw new RangeError(`scores[${i}] is NaN`);
  }
  let sum = 0;
  let start = 0;
  for (let q = 0; q < sizes.length; q++) {
    const n = sizes[q];
    const rel = Array.prototype.slice.call(yTrue, start, start + n) as number[];
    const order = Array.from({ length: n }, (_, i) => i);
    // Array.prototype.sort is stable (ES2019), which gives XGBoost's tie order.
    order.sort((a, b) => scores[start + b] - scores[start + a]);
    const value = score(rel, order, Math.min(k, n));
    sum += value === undefined ? empty : value;
    start += n;
  }
  return sum / sizes.length;
}

function gain(rel: number): number {
  return Math.pow(2, rel) - 1;
}
