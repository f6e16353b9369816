/** TreeSHAP and importance on models trained on the shared datasets (../shared/datasets). */
import path from 'node:path';
import { datasetsDir } from '../../bench/bench-paths';
import { loadCsvDataset } from '../../bench/load-csv';
import type { Dataset } from '../data/dataset';
import type { GbdtModel } from '../model/model.types';
import { predict } from '../predict/predict';
import { train } from '../train/train';
import { featureImportance } from './feature-importance';
import { ShapExplainer } from './tree-shap';

const repoRoot = path.resolve(__dirname, '../../../..');
const settings = { max_depth: 6, eta: 0.1, max_bin: 255, lambda: 1, min_child_weight: 1, seed: 1 };

/** Largest |sum(contributions) + bias - margin| over every test row and output. */
function worstAdditivity(model: GbdtModel, test: Dataset): number {
  const margins = predict(model, test, { outputMargin: true });
  const e = new ShapExplainer(model);
  const out = e.allocate();
  const F = test.numFeatures;
  const K = e.numOutputs;
  const row = new Float32Array(F);
  let worst = 0;
  for (let r = 0; r < test.numRows; r++) {
    for (let f = 0; f < F; f++) row[f] = test.columns[f][r];
    e.explain(row, out);
    for (let k = 0; k < K; k++) {
      let s = out.bias[k];
      for (let f = 0; f < F; f++) s += out.contributions[k * F + f];
      worst = Math.max(worst, Math.abs(s - margins[r * K + k]));
    }
  }
  return worst;
}

describe('explaining trained models', () => {
  const dir = datasetsDir(repoRoot);
  const load = (name: string, file: string): Dataset =>
    loadCsvDataset(path.join(dir, name, file), { labelColumn: 'label' });

  it('binary, 200 rounds: additivity on every test row, recursive = leafwise, importance totals match the trees', async () => {
    const { model } = await train(
      { ...settings, objective: 'binary:logistic', num_boost_round: 200 },
      load('lgb_binary_classification', 'train.csv'),
    );
    const test = load('lgb_binary_classification', 'test.csv');
    expect(worstAdditivity(model, test)).toBeLessThan(1e-9);

    const fast = new ShapExplainer(model);
    const slow = new ShapExplainer(model, { algorithm: 'recursive' });
    const row = new Float32Array(test.numFeatures);
    for (let r = 0; r < 50; r++) {
      for (let f = 0; f < test.numFeatures; f++) row[f] = test.columns[f][r];
      const a = fast.explain(row).contributions;
      const b = slow.explain(row).contributions;
      for (let f = 0; f < test.numFeatures; f++) expect(Math.abs(a[f] - b[f])).toBeLessThan(1e-10);
    }

    let splits = 0;
    let gain = 0;
    for (const t of model.trees)
      t.feature.forEach((f, n) => {
        if (f >= 0) {
          splits++;
          gain += t.gain[n];
        }
      });
    const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
    expect(sum(featureImportance(model, 'weight'))).toBe(splits);
    expect(sum(featureImportance(model, 'total_gain'))).toBeCloseTo(gain, 6);
  });

  it('multiclass, 5 classes x 40 rounds: additivity per class on every test row', async () => {
    const { model } = await train(
      { ...settings, objective: 'multi:softprob', num_class: 5, num_boost_round: 40 },
      load('lgb_multiclass_classification', 'train.csv'),
    );
    expect(worstAdditivity(model, load('lgb_multiclass_classification', 'test.csv'))).toBeLessThan(1e-9);
  });
});
