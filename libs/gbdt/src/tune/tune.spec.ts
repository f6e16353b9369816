import { createDataset, type Dataset } from '../data/dataset';
import { Prng } from '@pulse/core';
import { assignFolds, makeSplits } from './cross-validation';
import { randomSampler, tpeSampler, type SamplerTrial } from './samplers';
import { fromUnit, toUnit, validateSpace, type SearchSpace } from './search-space';
import { pruningRungs, tune, type TrialReport } from './tuner';

/** Binary labels from an interaction (x0 * x1) plus a threshold on x2: depth and rounds matter. */
function synthetic(n: number, seed: number): Dataset {
  const rng = new Prng(seed);
  const cols = Array.from({ length: 5 }, () => new Float32Array(n));
  const label = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (const c of cols) c[i] = rng.next() * 2 - 1;
    const z = 4 * cols[0][i] * cols[1][i] + 2 * (cols[2][i] > 0.3 ? 1 : -1);
    label[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return createDataset({ columns: cols, label });
}

function ranking(queries: number, perQuery: number): Dataset {
  const rng = new Prng(3);
  const n = queries * perQuery;
  const x = new Float32Array(n);
  const label = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = rng.next();
    label[i] = Math.floor(x[i] * 3);
  }
  return createDataset({ columns: [x], label, group: new Array(queries).fill(perQuery) });
}

describe('search space', () => {
  const log = { type: 'log', low: 0.01, high: 1 } as const;
  const int = { type: 'int', low: 2, high: 5 } as const;
  it('log midpoint', () => expect(fromUnit(log, 0.5)).toBeCloseTo(0.1, 12));
  it('log round trip', () => expect(toUnit(log, 0.1)).toBeCloseTo(0.5, 12));
  it('int cells', () => expect([0, 0.24, 0.26, 0.99, 1].map((u) => fromUnit(int, u))).toEqual([2, 2, 3, 5, 5]));
  it('int centre', () => expect(toUnit(int, 3)).toBeCloseTo(0.375, 12));
  it('rejects low > high', () =>
    expect(() => validateSpace({ eta: { type: 'float', low: 1, high: 0 } })).toThrow(
      'space.eta: low 1 is above high 0',
    ));
  it('rejects log <= 0', () =>
    expect(() => validateSpace({ lambda: { type: 'log', low: 0, high: 1 } })).toThrow(
      /space.lambda: log bounds must be > 0/,
    ));
  it('rejects unknown type', () =>
    expect(() => validateSpace({ x: { type: 'normal' } as never })).toThrow(/space.x.type must be/));
  it('rejects empty choice', () =>
    expect(() => validateSpace({ x: { type: 'choice', values: [] } })).toThrow(/space.x.values/));
});

describe('samplers', () => {
  const space: SearchSpace = { x: { type: 'float', low: 0, high: 1 }, c: { type: 'choice', values: ['a', 'b', 'c'] } };
  const f = (p: Record<string, unknown>) => -Math.abs((p.x as number) - 0.8) + (p.c === 'b' ? 0.3 : 0);
  const run = (seed: number, kind: 'tpe' | 'random') => {
    const s = kind === 'tpe' ? tpeSampler(space, seed, { startupTrials: 8 }) : randomSampler(space, seed);
    const history: SamplerTrial[] = [];
    for (let i = 0; i < 40; i++) {
      const params = s.propose(history);
      history.push({ params, score: f(params), pruned: false });
    }
    return history;
  };
  const lastMeanError = (h: SamplerTrial[]) =>
    h.slice(-15).reduce((a, t) => a + Math.abs((t.params.x as number) - 0.8), 0) / 15;
  it('TPE concentrates near the optimum, random does not', () =>
    expect(lastMeanError(run(1, 'tpe'))).toBeLessThan(lastMeanError(run(1, 'random')) / 2));
  it('TPE prefers the good choice', () =>
    expect(
      run(1, 'tpe')
        .slice(-15)
        .filter((t) => t.params.c === 'b').length,
    ).toBeGreaterThan(9));
  it('same seed, same proposals', () => expect(run(7, 'tpe')).toEqual(run(7, 'tpe')));
  it('other seed, other proposals', () => expect(run(7, 'tpe')).not.toEqual(run(8, 'tpe')));
});

describe('cross-validation splits', () => {
  const data = synthetic(300, 1);
  it('stratified folds keep the class balance (within one row per class)', () => {
    const fold = assignFolds(data, 'binary:logistic', 3, 0);
    const pos = [0, 0, 0];
    const all = [0, 0, 0];
    fold.forEach((f, r) => {
      all[f]++;
      pos[f] += data.label![r];
    });
    expect(Math.max(...pos) - Math.min(...pos)).toBeLessThanOrEqual(1);
    expect(Math.max(...all) - Math.min(...all)).toBeLessThanOrEqual(2);
  });
  it('k folds partition the rows', () =>
    expect(
      makeSplits(data, 'binary:logistic', { folds: 4 }, 0)
        .map((s) => s.valid.numRows)
        .reduce((a, b) => a + b),
    ).toBe(300));
  it('holdout size', () => expect(makeSplits(data, 'binary:logistic', { holdout: 0.2 }, 0)[0].valid.numRows).toBe(60));
  it('ranking folds keep whole queries', () => {
    const splits = makeSplits(ranking(10, 7), 'rank:ndcg', { folds: 3 }, 0);
    expect(splits.map((s) => [...s.train.group!, ...s.valid.group!].every((g) => g === 7))).toEqual([true, true, true]);
    expect(splits.map((s) => s.valid.group!.length).sort()).toEqual([3, 3, 4]);
  });
  it('too few queries', () =>
    expect(() => assignFolds(ranking(2, 3), 'rank:ndcg', 3, 0)).toThrow('2 queries cannot fill 3 folds'));
  it('bad folds', () =>
    expect(() => makeSplits(data, 'binary:logistic', { folds: 1 }, 0)).toThrow(/cv.folds must be an integer >= 2/));
  it('bad holdout', () =>
    expect(() => makeSplits(data, 'binary:logistic', { holdout: 1.5 }, 0)).toThrow(/cv.holdout must be a fraction/));
});

describe('tune', () => {
  const data = synthetic(600, 2);
  const bad = { objective: 'binary:logistic', eta: 0.005, max_depth: 1 };
  const space: SearchSpace = {
    eta: { type: 'log', low: 0.005, high: 0.5 },
    max_depth: { type: 'int', low: 1, high: 6 },
    min_child_weight: { type: 'log', low: 0.5, high: 20 },
  };
  let tuned: Awaited<ReturnType<typeof tune>>;
  let baseline: Awaited<ReturnType<typeof tune>>;
  const seen: TrialReport[] = [];
  beforeAll(async () => {
    tuned = await tune({
      data,
      baseParams: bad,
      space,
      metric: 'logloss',
      budget: { trials: 16, maxRounds: 40 },
      cv: { folds: 3 },
      seed: 11,
      onTrial: (t) => seen.push(t),
    });
    // The deliberately bad baseline, scored the same way (a single trial that changes nothing).
    baseline = await tune({
      data,
      baseParams: bad,
      space: { max_depth: { type: 'choice', values: [1] } },
      metric: 'logloss',
      budget: { trials: 1, maxRounds: 40 },
      cv: { folds: 3 },
      seed: 11,
    });
  });

  it('reports every trial', () => expect([tuned.trials.length, seen.length]).toEqual([16, 16]));
  it('minimizes logloss by default for logloss', () => expect(tuned.direction).toBe('minimize'));
  it('the baseline barely learns', () => expect(baseline.best.score).toBeGreaterThan(0.6));
  it('finds a clearly better setting', () => expect(tuned.best.score).toBeLessThan(baseline.best.score - 0.15));
  it('best is the lowest complete trial', () =>
    expect(tuned.best.score).toBe(Math.min(...tuned.trials.filter((t) => !t.pruned).map((t) => t.score))));
  it('bestParams carry the base, the best trial and its rounds', () =>
    expect(tuned.bestParams).toEqual({ ...bad, ...tuned.best.params, num_boost_round: tuned.best.rounds }));
  it('prunes some trials by successive halving', () => expect(tuned.trials.some((t) => t.pruned)).toBe(true));
  it('pruned trials stop early with one fold', () =>
    expect(tuned.trials.filter((t) => t.pruned).every((t) => t.rounds < 40 && t.foldScores.length === 1)).toBe(true));
  it('complete trials have a score per fold', () =>
    expect(tuned.trials.filter((t) => !t.pruned).every((t) => t.foldScores.length === 3)).toBe(true));
  it('is reproducible for a seed', async () => {
    const a = await tune({
      data,
      baseParams: bad,
      space,
      metric: 'logloss',
      budget: { trials: 5, maxRounds: 20 },
      cv: { holdout: 0.25 },
      seed: 5,
    });
    const b = await tune({
      data,
      baseParams: bad,
      space,
      metric: 'logloss',
      budget: { trials: 5, maxRounds: 20 },
      cv: { holdout: 0.25 },
      seed: 5,
    });
    const strip = (r: typeof a) => r.trials.map(({ seconds: _s, ...t }) => t);
    expect(strip(a)).toEqual(strip(b));
  });
  it('rejects a zero budget', async () =>
    expect(tune({ data, baseParams: bad, space, budget: { trials: 0, maxRounds: 10 } })).rejects.toThrow(
      /budget.trials must be an integer >= 1/,
    ));
  it('rejects tuning num_boost_round', async () =>
    expect(
      tune({
        data,
        baseParams: bad,
        space: { num_boost_round: { type: 'int', low: 1, high: 9 } },
        budget: { trials: 1, maxRounds: 10 },
      }),
    ).rejects.toThrow('space.num_boost_round: the tuner sets this itself'));
  it('rejects an unknown base parameter', async () =>
    expect(
      tune({ data, baseParams: { ...bad, etta: 1 }, space, budget: { trials: 1, maxRounds: 10 } }),
    ).rejects.toThrow(/unknown parameter\(s\): etta/));
});

describe('pruning rungs', () => {
  it('default: maxRounds/8, doubling', () => expect(pruningRungs(200, undefined)).toEqual([25, 50, 100]));
  it('factor 3', () => expect(pruningRungs(100, { minRounds: 5, reductionFactor: 3 })).toEqual([5, 15, 45]));
  it('off', () => expect(pruningRungs(100, false)).toEqual([]));
});
