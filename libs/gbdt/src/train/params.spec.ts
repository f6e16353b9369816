import { resolveParams } from './params';

describe('resolveParams', () => {
  it('fills XGBoost defaults', () => {
    const p = resolveParams({});
    expect([p.max_depth, p.max_bin, p.lambda, p.alpha, p.min_child_weight, p.eta, p.grow_policy]).toEqual([
      6,
      255,
      1,
      0,
      1,
      0.3,
      'depthwise',
    ]);
  });
  it('maps aliases to XGBoost names', () => {
    const p = resolveParams({
      learning_rate: 0.1,
      n_estimators: 7,
      reg_lambda: 2,
      reg_alpha: 0.5,
      min_split_gain: 0.1,
      max_leaves: 31,
    } as never);
    expect([p.eta, p.num_boost_round, p.lambda, p.alpha, p.gamma, p.num_leaves, p.grow_policy]).toEqual([
      0.1,
      7,
      2,
      0.5,
      0.1,
      31,
      'lossguide',
    ]);
  });
  it('accepts LightGBM-style objective names', () =>
    expect(resolveParams({ objective: 'lambdarank' } as never).objective).toBe('rank:ndcg'));
  it('rejects unknown names, listing them', () =>
    expect(() => resolveParams({ etaa: 1, foo: 2 } as never)).toThrow('unknown parameter(s): etaa, foo'));
  it('rejects conflicting aliases', () =>
    expect(() => resolveParams({ eta: 0.1, learning_rate: 0.2 } as never)).toThrow(/conflicts/));
  it('rejects wrong types with TypeError', () =>
    expect(() => resolveParams({ max_depth: '6' } as never)).toThrow(TypeError));
  it('rejects out-of-range values with RangeError naming them', () => {
    expect(() => resolveParams({ eta: 0 })).toThrow(/eta must be in \(0, 1\]/);
    expect(() => resolveParams({ max_bin: 256 })).toThrow(/max_bin/);
    expect(() => resolveParams({ subsample: 1.5 })).toThrow(/subsample/);
    expect(() => resolveParams({ max_depth: 2.5 })).toThrow(/max_depth must be an integer/);
  });
  it('needs num_class >= 2 for multiclass', () =>
    expect(() => resolveParams({ objective: 'multi:softprob' })).toThrow(/num_class/));
  it('rejects a metric that does not fit the objective', () =>
    expect(() => resolveParams({ objective: 'reg:squarederror', eval_metric: 'auc' })).toThrow(/does not apply/));
  it('accepts ndcg@k', () =>
    expect(resolveParams({ objective: 'rank:ndcg', eval_metric: 'ndcg@3' }).eval_metric).toBe('ndcg@3'));
  it('needs a depth cap unless leaf-wise with a leaf cap', () =>
    expect(() => resolveParams({ max_depth: 0 })).toThrow(/max_depth 0/));
});
