import { createDataset } from '../data/dataset';
import { predict } from '../predict/predict';
import { trainSync } from '../train/train';
import { Prng } from '@pulse/core';
import { modelFromJson, modelToJson } from './model-io';

function data(n: number) {
  const rng = new Prng(11);
  const cols = [new Float32Array(n), new Float32Array(n)];
  const label = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    cols[0][i] = rng.next() < 0.1 ? Number.NaN : Math.fround(rng.next() * 3.3);
    cols[1][i] = Math.fround(rng.next() - 0.5);
    label[i] = cols[1][i] + (cols[0][i] > 1.7 ? 1 : 0) > 0.8 ? 2 : cols[1][i] > 0 ? 1 : 0;
  }
  return createDataset({ columns: cols, label, featureNames: ['a', 'b'] });
}

describe('model JSON', () => {
  const d = data(1500);
  const { model } = trainSync({ objective: 'multi:softprob', num_class: 3, num_boost_round: 8, alpha: 0.3 }, d);

  it('round-trips exactly: same value, same JSON, same predictions bit for bit', () => {
    const json = modelToJson(model);
    const back = modelFromJson(json);
    expect(back).toEqual(model);
    expect(modelToJson(back)).toBe(json);
    expect(Array.from(predict(back, d))).toEqual(Array.from(predict(model, d)));
    for (let t = 0; t < model.trees.length; t++) expect(back.trees[t].value).toEqual(model.trees[t].value);
  });
  it('is versioned', () => {
    expect(JSON.parse(modelToJson(model))).toMatchObject({ format: 'pulse-gbdt', formatVersion: 1 });
  });
  const broken = (mutate: (m: Record<string, any>) => void): string => {
    const m = JSON.parse(modelToJson(model));
    mutate(m);
    return JSON.stringify(m);
  };
  it.each([
    ['not JSON', '{', /does not parse/],
    ['another format', broken((m) => (m.format = 'xgboost')), /format must be "pulse-gbdt"/],
    ['a future version', broken((m) => (m.formatVersion = 2)), /formatVersion 2 is not supported/],
    ['a bad objective', broken((m) => (m.objective = 'poisson')), /objective must be one of/],
    ['a short baseMargin', broken((m) => m.baseMargin.pop()), /baseMargin must have 3 entries/],
    ['a feature out of range', broken((m) => (m.trees[0].feature[0] = 5)), /trees\[0\]\.feature\[0\]/],
    ['a non-float32 threshold', broken((m) => (m.trees[0].threshold[0] = 0.1)), /not a float32 value/],
    ['a child pointing backwards', broken((m) => (m.trees[0].left[0] = 0)), /has child 0/],
    ['ragged node arrays', broken((m) => m.trees[1].value.pop()), /trees\[1\]\.value must have/],
    ['a class out of range', broken((m) => (m.treeClass[0] = 3)), /treeClass\[0\]/],
    ['rounds not matching trees', broken((m) => (m.numRounds = 9)), /numRounds/],
  ])('rejects %s', (_name, text, message) => {
    expect(() => modelFromJson(text as string)).toThrow(message as RegExp);
  });
});
