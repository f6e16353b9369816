/**
 * ONNX parity on models trained on the shared datasets (../shared/datasets from the repo root):
 * onnxruntime-node's output equals predict() within 1e-5 on every test row, with extra missing
 * values injected, and every exported model passes the ONNX checker.
 */
import path from 'node:path';
import { datasetsDir } from '../../bench/bench-paths';
import { loadCsvDataset } from '../../bench/load-csv';
import { rng } from '../explain/tiny-models.fixture';
import type { Dataset } from '../data/dataset';
import type { GbdtModel } from '../model/model.types';
import { predict } from '../predict/predict';
import { train } from '../train/train';
import { exportOnnx } from './onnx-export';
import { onnxCheck, runOnnx } from './onnx.fixture';

const repoRoot = path.resolve(__dirname, '../../../..');
const settings = {
  max_depth: 6,
  eta: 0.1,
  num_boost_round: 200,
  max_bin: 255,
  lambda: 1,
  min_child_weight: 1,
  seed: 1,
};

/** Test rows row-major, with 5% of the cells set missing (on top of the data's own). */
function rowsWithMissing(data: Dataset, seed: number): { rows: Float32Array; columns: Float32Array[] } {
  const next = rng(seed);
  const columns = data.columns.map((c) => Float32Array.from(c, (v) => (next() < 0.05 ? NaN : v)));
  const F = data.numFeatures;
  const rows = new Float32Array(data.numRows * F);
  for (let f = 0; f < F; f++) for (let r = 0; r < data.numRows; r++) rows[r * F + f] = columns[f][r];
  return { rows, columns };
}

/** Largest ONNX-vs-predict difference (relative above 1 for scores) over every row and output. */
function worstDifference(
  model: GbdtModel,
  test: Dataset,
  seed: number,
): { worst: number; labelsOk: boolean; rows: number } {
  const bytes = exportOnnx(model);
  onnxCheck(bytes);
  const { rows, columns } = rowsWithMissing(test, seed);
  const out = runOnnx(bytes, rows, test.numFeatures);
  const ts = predict(model, columns);
  let worst = 0;
  let labelsOk = true;
  const n = test.numRows;
  if (model.objective === 'binary:logistic') {
    for (let i = 0; i < n; i++) {
      worst = Math.max(
        worst,
        Math.abs(out.probabilities![2 * i + 1] - ts[i]),
        Math.abs(out.probabilities![2 * i] - (1 - ts[i])),
      );
      if (Math.abs(ts[i] - 0.5) > 1e-5 && out.label![i] !== (ts[i] > 0.5 ? 1 : 0)) labelsOk = false;
    }
  } else if (model.objective === 'multi:softprob') {
    const K = model.numClass;
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let k = 0; k < K; k++) {
        worst = Math.max(worst, Math.abs(out.probabilities![i * K + k] - ts[i * K + k]));
        if (ts[i * K + k] > ts[i * K + best]) best = k;
      }
      const second = Math.max(...Array.from({ length: K }, (_, k) => (k === best ? -1 : ts[i * K + k])));
      if (ts[i * K + best] - second > 1e-5 && out.label![i] !== best) labelsOk = false;
    }
  } else {
    for (let i = 0; i < n; i++)
      worst = Math.max(worst, Math.abs(out.variable![i] - ts[i]) / Math.max(1, Math.abs(ts[i])));
  }
  return { worst, labelsOk, rows: n };
}

describe('ONNX parity on the shared datasets (200 rounds, depth 6)', () => {
  const dir = datasetsDir(repoRoot);
  const load = (name: string, file: string, group = false): Dataset =>
    loadCsvDataset(path.join(dir, name, file), { labelColumn: 'label', groupColumn: group ? 'qid' : undefined });

  it('binary (lgb_binary_classification)', async () => {
    const { model } = await train(
      { ...settings, objective: 'binary:logistic' },
      load('lgb_binary_classification', 'train.csv'),
    );
    const r = worstDifference(model, load('lgb_binary_classification', 'test.csv'), 1);
    expect(r.rows).toBe(500);
    expect(r.worst).toBeLessThan(1e-5);
    expect(r.labelsOk).toBe(true);
  });

  it('regression scores (squared error on the binary set)', async () => {
    const { model } = await train(
      { ...settings, objective: 'reg:squarederror' },
      load('lgb_binary_classification', 'train.csv'),
    );
    const r = worstDifference(model, load('lgb_binary_classification', 'test.csv'), 2);
    expect(r.worst).toBeLessThan(1e-5);
  });

  it('multiclass (lgb_multiclass_classification, 5 classes)', async () => {
    const { model } = await train(
      { ...settings, objective: 'multi:softprob', num_class: 5 },
      load('lgb_multiclass_classification', 'train.csv'),
    );
    const r = worstDifference(model, load('lgb_multiclass_classification', 'test.csv'), 3);
    expect(r.rows).toBe(500);
    expect(r.worst).toBeLessThan(1e-5);
    expect(r.labelsOk).toBe(true);
  });

  it('ranking (lgb_lambdarank, rank:ndcg)', async () => {
    const { model } = await train({ ...settings, objective: 'rank:ndcg' }, load('lgb_lambdarank', 'train.csv', true));
    const r = worstDifference(model, load('lgb_lambdarank', 'test.csv', true), 4);
    expect(r.rows).toBe(768);
    expect(r.worst).toBeLessThan(1e-5);
  });
});
