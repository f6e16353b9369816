import { logisticRange, squaredRange } from './hist-kernel';
import { lambdaRankQuery, pairDeltaNdcg, softmaxGradients, softmaxRows } from './objectives';
import { Prng } from '@pulse/core';

describe('objective gradients', () => {
  it('logistic: g = p - y, h = p(1 - p), times the weight, with the largest |g| and h', () => {
    const out = new Float32Array(4);
    const max = new Float64Array(2);
    logisticRange(
      Float64Array.from([0, Math.log(3)]),
      Float64Array.from([1, 0]),
      Float64Array.from([2, 1]),
      out,
      0,
      2,
      max,
      0,
    );
    expect(Array.from(out)).toEqual([-1, 0.5, 0.75, Math.fround(0.1875)]);
    expect(Array.from(max)).toEqual([1, 0.5]);
  });
  it('squared error: g = m - y, h = 1, times the weight', () => {
    const out = new Float32Array(4);
    const max = new Float64Array(2);
    squaredRange(Float64Array.from([1.5, -1]), Float64Array.from([1, 1]), Float64Array.from([2, 3]), out, 0, 2, max, 0);
    expect(Array.from(out)).toEqual([1, 2, -6, 3]);
    expect(Array.from(max)).toEqual([6, 3]);
  });
  it('softmax probabilities of margins [0, ln 2] are [1/3, 2/3]', () => {
    const prob = new Float64Array(2);
    softmaxRows(Float64Array.from([0, Math.log(2)]), 2, prob);
    expect(prob[0]).toBeCloseTo(1 / 3, 12);
    expect(prob[1]).toBeCloseTo(2 / 3, 12);
  });
  it('softmax gradients: g_k = p_k - [y = k], h_k = 2 p_k (1 - p_k) as XGBoost', () => {
    const prob = Float64Array.from([1 / 3, 2 / 3]);
    const out = new Float32Array(2);
    softmaxGradients(prob, 2, 0, [1], null, out);
    expect(out[0]).toBeCloseTo(1 / 3, 6);
    expect(out[1]).toBeCloseTo(4 / 9, 6);
    softmaxGradients(prob, 2, 1, [1], null, out);
    expect(out[0]).toBeCloseTo(-1 / 3, 6);
    expect(out[1]).toBeCloseTo(4 / 9, 6);
  });
});

describe('LambdaRank pair weights', () => {
  // one query, labels [2, 0, 1], equal scores -> positions 0, 1, 2; IDCG = 3 + 1/log2(3) = 3.630930
  const labels = [2, 0, 1];
  const scores = [0, 0, 0];
  const idcg = 3 + 1 / Math.log2(3);
  it('|delta NDCG| of a pair against hand-computed values', () => {
    expect(pairDeltaNdcg(2, 0, 0, 1, idcg)).toBeCloseTo(0.304938, 5); // 3 * (1 - 0.630930) / IDCG
    expect(pairDeltaNdcg(2, 0, 1, 2, idcg)).toBeCloseTo(0.275412, 5); // 2 * (1 - 0.5) / IDCG
    expect(pairDeltaNdcg(1, 2, 0, 1, idcg)).toBeCloseTo(0.03606, 5); // 1 * (0.630930 - 0.5) / IDCG
    expect(pairDeltaNdcg(1, 0, 1, 3, idcg)).toBe(0);
  });
  it('all pairs: g = sum of +-(p - 1) w with p = 0.5, h = sum of 2 p (1 - p) w', () => {
    const out = new Float32Array(6);
    lambdaRankQuery(scores, labels, 0, 3, 1, { method: 'all', numPairPerSample: 1, rng: new Prng(0) }, out);
    expect(out[0]).toBeCloseTo(-0.5 * (0.304938 + 0.275412), 5);
    expect(out[2]).toBeCloseTo(0.5 * (0.304938 + 0.03606), 5);
    expect(out[4]).toBeCloseTo(0.5 * 0.275412 - 0.5 * 0.03606, 5);
    expect(out[1]).toBeCloseTo(0.5 * (0.304938 + 0.275412), 5);
    expect(out[3]).toBeCloseTo(0.5 * (0.304938 + 0.03606), 5);
    expect(out[5]).toBeCloseTo(0.5 * (0.275412 + 0.03606), 5);
  });
  it('a query with all labels 0 has no gradient', () => {
    const out = new Float32Array(4).fill(9);
    lambdaRankQuery([1, 2], [0, 0], 0, 2, 1, { method: 'all', numPairPerSample: 1, rng: new Prng(0) }, out);
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
  });
  it("'mean' sampling gives every document one partner with another label and sums to zero", () => {
    const out = new Float32Array(6);
    lambdaRankQuery([0.3, -0.2, 0.1], labels, 0, 3, 1, { method: 'mean', numPairPerSample: 1, rng: new Prng(3) }, out);
    expect(out[0] + out[2] + out[4]).toBeCloseTo(0, 6);
    expect(out[1]).toBeGreaterThan(0);
    expect(out[3]).toBeGreaterThan(0);
    expect(out[5]).toBeGreaterThan(0);
  });
});
