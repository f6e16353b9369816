import { createDataset, type Dataset } from '../data/dataset';
import { modelToJson } from '../model/model-io';
import { predict } from '../predict/predict';
import { aucScore, evaluateMetric } from './eval-metrics';
import { Prng } from '@pulse/core';
import { train, trainSync } from './train';

/** y depends on x0, x1 (with noise); x2 is noise; some values missing. */
function synthetic(n: number, seed: number, task: 'binary' | 'multi' | 'reg' = 'binary'): Dataset {
  const rng = new Prng(seed);
  const cols = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  const label = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x0 = rng.next() * 4 - 2;
    const x1 = rng.next() * 4 - 2;
    cols[0][i] = rng.next() < 0.05 ? Number.NaN : x0;
    cols[1][i] = x1;
    cols[2][i] = rng.next();
    const z = x0 * x0 - x1 + (rng.next() - 0.5);
    label[i] = task === 'binary' ? (z > 1 ? 1 : 0) : task === 'multi' ? (z < 0 ? 0 : z < 2 ? 1 : 2) : z;
  }
  return createDataset({ columns: cols, label });
}

describe('train', () => {
  const data = synthetic(3000, 1);
  const test = synthetic(1000, 2);

  it('learns a binary task', async () => {
    const { model } = await train({ objective: 'binary:logistic', num_boost_round: 30, eta: 0.3 }, data);
    expect(aucScore(test.label!, predict(model, test))).toBeGreaterThan(0.9);
    expect(model.trees.length).toBe(30);
  });
  it('learns multiclass with K trees a round', () => {
    const d = synthetic(3000, 3, 'multi');
    const t = synthetic(1000, 4, 'multi');
    const { model } = trainSync({ objective: 'multi:softprob', num_class: 3, num_boost_round: 20 }, d);
    expect(model.trees.length).toBe(60);
    expect(model.treeClass.slice(0, 6)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(evaluateMetric('merror', predict(model, t), t.label!, 3)).toBeLessThan(0.2);
  });
  it('learns a regression, base_score = mean label by default', () => {
    const d = synthetic(3000, 5, 'reg');
    const t = synthetic(1000, 6, 'reg');
    const { model } = trainSync({ objective: 'reg:squarederror', num_boost_round: 50, eta: 0.2 }, d);
    const mean = Array.from(d.label!).reduce((a, b) => a + b, 0) / d.numRows;
    expect(model.baseMargin[0]).toBeCloseTo(mean, 10);
    expect(evaluateMetric('rmse', predict(model, t), t.label!, 1)).toBeLessThan(0.45);
  });
  it('is deterministic for a seed, with row and column sampling', () => {
    const p = {
      objective: 'binary:logistic' as const,
      num_boost_round: 10,
      subsample: 0.7,
      colsample_bytree: 0.67,
      seed: 42,
    };
    const a = modelToJson(trainSync(p, data).model);
    expect(modelToJson(trainSync(p, data).model)).toBe(a);
    expect(modelToJson(trainSync({ ...p, seed: 43 }, data).model)).not.toBe(a);
  });
  it('early stopping keeps the best iteration', () => {
    const valid = synthetic(500, 9);
    const res = trainSync(
      {
        objective: 'binary:logistic',
        num_boost_round: 400,
        eta: 0.5,
        max_depth: 8,
        min_child_weight: 0,
        early_stopping_rounds: 5,
      },
      data,
      {
        valid: [{ name: 'valid', data: valid }],
      },
    );
    const h = res.history.valid;
    expect(h.length).toBeLessThan(400);
    expect(h.length).toBe(res.bestIteration + 6);
    expect(Math.min(...h)).toBe(h[res.bestIteration]);
    expect(res.model.numRounds).toBe(res.bestIteration + 1);
    expect(res.model.trees.length).toBe(res.bestIteration + 1);
    // the kept model scores the valid set exactly as recorded at the best round
    expect(evaluateMetric('logloss', predict(res.model, valid), valid.label!, 1)).toBeCloseTo(h[res.bestIteration], 10);
  });
  it('onIteration can stop training', () => {
    const seen: number[] = [];
    const res = trainSync({ objective: 'binary:logistic', num_boost_round: 50, eval_metric: 'auc' }, data, {
      valid: [{ name: 'v', data: test }],
      onIteration: ({ iteration, evals }) => {
        seen.push(evals.v);
        return iteration === 4;
      },
    });
    expect(seen.length).toBe(5);
    expect(res.model.numRounds).toBe(5);
  });
  it('quantized-gradient histograms train as well as exact ones', () => {
    const exact = trainSync(
      { objective: 'binary:logistic', num_boost_round: 30, eta: 0.3, use_quantized_grad: false },
      data,
    ).model;
    const quant = trainSync(
      { objective: 'binary:logistic', num_boost_round: 30, eta: 0.3, use_quantized_grad: true, subsample: 0.8 },
      data,
    ).model;
    const aucExact = aucScore(test.label!, predict(exact, test));
    expect(aucScore(test.label!, predict(quant, test))).toBeGreaterThan(aucExact - 0.01);
  });
  it('handles histograms wider than 65535 slots (300 features x 256 bins)', () => {
    const rng = new Prng(8);
    const n = 600;
    const cols = Array.from({ length: 300 }, () => Float32Array.from({ length: n }, () => rng.next()));
    const label = Float64Array.from({ length: n }, (_, i) => (cols[7][i] + cols[299][i] > 1 ? 1 : 0));
    const d = createDataset({ columns: cols, label });
    const { model } = trainSync(
      { objective: 'binary:logistic', num_boost_round: 20, eta: 0.3, min_child_weight: 0.1 },
      d,
    );
    const used = new Set(model.trees.flatMap((t) => t.feature.filter((f) => f >= 0)));
    expect(used.has(7) && used.has(299)).toBe(true);
    expect(aucScore(d.label!, predict(model, d))).toBeGreaterThan(0.95);
  });
  it('leaf-wise growth respects num_leaves', () => {
    const { model } = trainSync(
      { objective: 'binary:logistic', num_boost_round: 3, num_leaves: 5, max_depth: 10 },
      data,
    );
    for (const t of model.trees) expect(t.feature.filter((f) => f < 0).length).toBeLessThanOrEqual(5);
  });
  it('sample weights and scale_pos_weight shift the predictions', () => {
    const base = trainSync({ objective: 'binary:logistic', num_boost_round: 5 }, data).model;
    const spw = trainSync({ objective: 'binary:logistic', num_boost_round: 5, scale_pos_weight: 5 }, data).model;
    const mean = (m: typeof base) => predict(m, test).reduce((a, b) => a + b, 0) / test.numRows;
    expect(mean(spw)).toBeGreaterThan(mean(base) + 0.05);
  });
  it('rejects bad input naming it', () => {
    expect(() => trainSync({ objective: 'binary:logistic', nmu_boost_round: 3 } as never, data)).toThrow(
      /unknown parameter\(s\): nmu_boost_round/,
    );
    const bad = createDataset({ columns: [Float32Array.from([1, 2])], label: [0, 2] });
    expect(() => trainSync({ objective: 'binary:logistic' }, bad)).toThrow(/label\[1\] must be 0 or 1/);
    expect(() => trainSync({ objective: 'rank:ndcg' }, bad)).toThrow(/needs query groups/);
    expect(() => trainSync({ objective: 'binary:logistic', early_stopping_rounds: 3 }, data)).toThrow(
      /needs at least one validation set/,
    );
  });
});
