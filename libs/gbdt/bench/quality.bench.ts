/**
 * Quality benchmark (`npm run bench:gbdt -- --quality`): trains on the shared datasets with the
 * issue's XGBoost settings and prints our test metrics next to XGBoost 1.7.4's, measured in the same
 * run by xgb-reference.py.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- bench/ and src/ compile to sibling dist folders; only the alias resolves in both
import { aucScore, evaluateMetric, predict, train, type Dataset, type GbdtParams } from '@pulse/gbdt';
import { datasetsDir } from './bench-paths';
import { loadCsvDataset } from './load-csv';

/** The judged settings; base_score 0.5 as in the XGBoost reference run. */
export const XGB_SETTINGS: Partial<GbdtParams> = {
  max_bin: 255,
  max_depth: 6,
  eta: 0.1,
  num_boost_round: 200,
  lambda: 1,
  min_child_weight: 1,
  base_score: 0.5,
};

function load(dir: string, name: string, ranking = false): { train: Dataset; test: Dataset } {
  const opts = ranking ? { groupColumn: 'qid' } : {};
  return {
    train: loadCsvDataset(path.join(dir, name, 'train.csv'), opts),
    test: loadCsvDataset(path.join(dir, name, 'test.csv'), opts),
  };
}

async function ours(dir: string, extra: Partial<GbdtParams>): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  let t = Date.now();
  const b = load(dir, 'lgb_binary_classification');
  const mb = (await train({ ...XGB_SETTINGS, objective: 'binary:logistic', ...extra }, b.train)).model;
  const pb = predict(mb, b.test);
  out.binary = {
    auc: aucScore(b.test.label!, pb),
    logloss: evaluateMetric('logloss', pb, b.test.label!, 1),
    seconds: (Date.now() - t) / 1000,
  };

  t = Date.now();
  const m = load(dir, 'lgb_multiclass_classification');
  const mm = (await train({ ...XGB_SETTINGS, objective: 'multi:softprob', num_class: 5, ...extra }, m.train)).model;
  const pm = predict(mm, m.test);
  out.multiclass = {
    accuracy: 1 - evaluateMetric('merror', pm, m.test.label!, 5),
    mlogloss: evaluateMetric('mlogloss', pm, m.test.label!, 5),
    seconds: (Date.now() - t) / 1000,
  };

  t = Date.now();
  const r = load(dir, 'lgb_lambdarank', true);
  const mr = (await train({ ...XGB_SETTINGS, objective: 'rank:ndcg', ...extra }, r.train)).model;
  const pr = predict(mr, r.test);
  out.lambdarank = Object.fromEntries(
    [1, 3, 5].map((k) => [`ndcg@${k}`, evaluateMetric(`ndcg@${k}`, pr, r.test.label!, 1, undefined, r.test.group)]),
  );
  out.lambdarank.seconds = (Date.now() - t) / 1000;
  return out;
}

function fmt(v: number | undefined): string {
  return v === undefined ? '-' : v.toFixed(4);
}

export async function runQualityBench(): Promise<void> {
  const dir = datasetsDir();
  const script = path.resolve(process.cwd(), 'libs/gbdt/bench/xgb-reference.py');
  console.log('XGBoost 1.7.4 reference (same run)...');
  const py = spawnSync('/usr/bin/python3', [script, dir], { encoding: 'utf8' });
  if (py.status !== 0) throw new Error(`xgb-reference.py failed: ${py.stderr}`);
  const xgb = JSON.parse(py.stdout.trim().split('\n').pop()!) as Record<string, Record<string, number>>;
  const withXgbBase = await ours(dir, {});
  const withPrior = await ours(dir, { base_score: Number.NaN });
  const rows: [string, string, boolean][] = [
    ['binary', 'auc', true],
    ['binary', 'logloss', false],
    ['multiclass', 'accuracy', true],
    ['multiclass', 'mlogloss', false],
    ['lambdarank', 'ndcg@1', true],
    ['lambdarank', 'ndcg@3', true],
    ['lambdarank', 'ndcg@5', true],
  ];
  console.log(
    `\n${'dataset'.padEnd(12)}${'metric'.padEnd(10)}${'xgboost'.padStart(10)}${'pulse'.padStart(10)}${'pulse(prior base)'.padStart(19)}`,
  );
  for (const [ds, metric] of rows) {
    console.log(
      `${ds.padEnd(12)}${metric.padEnd(10)}${fmt(xgb[ds]?.[metric]).padStart(10)}${fmt(withXgbBase[ds][metric]).padStart(10)}${fmt(withPrior[ds][metric]).padStart(19)}`,
    );
  }
  console.log(
    `\ntraining seconds (pulse): binary ${withXgbBase.binary.seconds}, multiclass ${withXgbBase.multiclass.seconds}, lambdarank ${withXgbBase.lambdarank.seconds}`,
  );
}
