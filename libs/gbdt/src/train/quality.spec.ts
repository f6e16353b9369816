/**
 * Quality on the shared datasets (../shared/datasets from the repo root, or PULSE_SHARED_DIR) with
 * the XGBoost reference settings (hist, max_bin 255, max_depth 6, eta 0.1, 200 rounds, lambda 1,
 * min_child_weight 1, base_score 0.5). XGBoost 1.7.4: AUC 0.8253, NDCG@3 0.637.
 */
import path from 'node:path';
import { datasetsDir } from '../../bench/bench-paths';
import { loadCsvDataset } from '../../bench/load-csv';
import { predict } from '../predict/predict';
import { aucScore, evaluateMetric } from './eval-metrics';
import { trainSync } from './train';

const repoRoot = path.resolve(__dirname, '../../../..');
const settings = {
  max_bin: 255,
  max_depth: 6,
  eta: 0.1,
  num_boost_round: 200,
  lambda: 1,
  min_child_weight: 1,
  base_score: 0.5,
};

describe('quality on the shared datasets', () => {
  const dir = datasetsDir(repoRoot);

  it('binary (Higgs subset): test AUC >= 0.823', () => {
    const train = loadCsvDataset(path.join(dir, 'lgb_binary_classification', 'train.csv'));
    const test = loadCsvDataset(path.join(dir, 'lgb_binary_classification', 'test.csv'));
    const { model } = trainSync({ ...settings, objective: 'binary:logistic' }, train);
    expect(aucScore(test.label!, predict(model, test))).toBeGreaterThanOrEqual(0.823);
  });

  it('lambdarank: test NDCG@3 >= 0.637', () => {
    const opts = { groupColumn: 'qid' };
    const train = loadCsvDataset(path.join(dir, 'lgb_lambdarank', 'train.csv'), opts);
    const test = loadCsvDataset(path.join(dir, 'lgb_lambdarank', 'test.csv'), opts);
    const { model } = trainSync({ ...settings, objective: 'rank:ndcg' }, train);
    expect(
      evaluateMetric('ndcg@3', predict(model, test), test.label!, 1, undefined, test.group),
    ).toBeGreaterThanOrEqual(0.637);
  });
});
