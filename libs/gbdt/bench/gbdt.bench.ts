/**
 * Speed benchmark (`npm run bench:gbdt`): the 800k x 28 binary set from ../shared/bench/make_big.py,
 * trained with the settings; prints wall time, test AUC and peak RSS next to XGBoost's
 * figures measured in the same run, then prediction latency (TypeScript, and onnxruntime-node when
 * the barrel exports `exportOnnx`). `--quality` runs the quality benchmark instead.
 *
 * Env: PULSE_SHARED_DIR (default ../shared from the repo root), PULSE_GBDT_BIG_DIR (CSV cache,
 * default <shared>/bench/big, or the OS temp dir when that is read-only), PULSE_GBDT_SKIP_XGB=1 to skip the XGBoost run.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- bench/ and src/ compile to sibling dist folders; only the alias resolves in both
import * as gbdt from '@pulse/gbdt';
// eslint-disable-next-line @nx/enforce-module-boundaries -- bench/ and src/ compile to sibling dist folders; only the alias resolves in both
import { aucScore, compileModel, predict, predictRow, train, type GbdtModel } from '@pulse/gbdt';
import { sharedDir } from './bench-paths';
import { loadCsvDataset } from './load-csv';
import { referenceWalker } from './predict-reference';
import { runQualityBench } from './quality.bench';

function secs(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** The 1-minute load average: the machine is shared, so every figure is printed with it. */
function load(): string {
  return `load ${os.loadavg()[0].toFixed(2)}`;
}

function xgboostLine(shared: string, bigDir: string): string | undefined {
  const have = fs.existsSync(path.join(bigDir, 'train.csv')) && fs.existsSync(path.join(bigDir, 'test.csv'));
  if (!have) {
    console.log(`generating the 800k x 28 set into ${bigDir} (make_big.py; runs XGBoost too)...`);
    const r = spawnSync('/usr/bin/python3', [path.join(shared, 'bench', 'make_big.py'), bigDir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`make_big.py failed: ${r.stderr}`);
    return r.stdout.split('\n').find((l) => l.startsWith('xgboost'));
  }
  if (process.env.PULSE_GBDT_SKIP_XGB === '1') return undefined;
  console.log('running XGBoost on the same data (xgb-big.py)...');
  const r = spawnSync('/usr/bin/python3', [path.resolve(process.cwd(), 'libs/gbdt/bench/xgb-big.py')], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`xgb-big.py failed: ${r.stderr}`);
  return r.stdout.split('\n').find((l) => l.startsWith('xgboost'));
}

/** <shared>/bench/big when it exists or can be created there, else a folder in the OS temp dir. */
function defaultBigDir(shared: string): string {
  const preferred = path.join(shared, 'bench', 'big');
  if (fs.existsSync(path.join(preferred, 'train.csv'))) return preferred;
  try {
    fs.accessSync(path.join(shared, 'bench'), fs.constants.W_OK);
    return preferred;
  } catch {
    return path.join(os.tmpdir(), 'pulse-gbdt-big');
  }
}

async function onnxTimes(model: GbdtModel, testColumns: Float32Array[], F: number): Promise<void> {
  const exportOnnx = (gbdt as Record<string, unknown>).exportOnnx as ((m: GbdtModel) => Uint8Array) | undefined;
  if (typeof exportOnnx !== 'function') {
    console.log('onnxruntime-node: exportOnnx is not in the barrel yet, skipped');
    return;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
  const session = await ort.InferenceSession.create(exportOnnx(model));
  const input = session.inputNames[0];
  const row = new Float32Array(F);
  let t0 = process.hrtime.bigint();
  const reps = 2000;
  for (let i = 0; i < reps; i++) {
    for (let f = 0; f < F; f++) row[f] = testColumns[f][i];
    await session.run({ [input]: new ort.Tensor('float32', row, [1, F]) });
  }
  console.log(`onnxruntime-node single row: ${((secs(t0) / reps) * 1e6).toFixed(1)} µs/row [${load()}]`);
  const n = 10_000;
  const batch = new Float32Array(n * F);
  for (let r = 0; r < n; r++) for (let f = 0; f < F; f++) batch[r * F + f] = testColumns[f][r];
  t0 = process.hrtime.bigint();
  await session.run({ [input]: new ort.Tensor('float32', batch, [n, F]) });
  console.log(`onnxruntime-node 10k rows: ${(secs(t0) * 1000).toFixed(1)} ms [${load()}]`);
}

/**
 * Single-row and 10k-row prediction, before (the previous node-by-node walk, predict-reference.ts)
 * and after (predict / predictRow: perfect-tree layout, four trees at a time), with a bit-for-bit
 * check of the two on the same rows.
 */
function predictionTimes(model: GbdtModel, columns: Float32Array[], F: number): void {
  const before = referenceWalker(model);
  const compiled = compileModel(model);
  const row = new Float64Array(F);
  const out = new Float64Array(1);
  const reps = 20_000;
  const time = (fn: (i: number) => void): number => {
    for (let i = 0; i < 2000; i++) fn(i); // warm-up
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) fn(i);
    return (secs(t0) / reps) * 1e6;
  };
  const fill = (i: number): void => {
    for (let f = 0; f < F; f++) row[f] = columns[f][i];
  };
  const rowBefore = time((i) => {
    fill(i);
    before.row(row);
  });
  const rowAfter = time((i) => {
    fill(i);
    predictRow(compiled, row, out, { outputMargin: true });
  });
  console.log(
    `TypeScript single row: before ${rowBefore.toFixed(2)} µs/row, after ${rowAfter.toFixed(2)} µs/row (${(rowBefore / rowAfter).toFixed(1)}x) [${load()}]`,
  );
  const n = 10_000;
  const cols10k = columns.map((c) => c.subarray(0, n));
  const best = (fn: () => unknown): number => {
    let ms = Infinity;
    for (let k = 0; k < 5; k++) {
      const t0 = process.hrtime.bigint();
      fn();
      ms = Math.min(ms, secs(t0) * 1000);
    }
    return ms;
  };
  const batchBefore = best(() => before.batch(cols10k, n));
  const batchAfter = best(() => predict(model, cols10k, { outputMargin: true }));
  console.log(
    `TypeScript 10k rows: before ${batchBefore.toFixed(1)} ms, after ${batchAfter.toFixed(1)} ms (${(batchBefore / batchAfter).toFixed(1)}x; best of 5) [${load()}]`,
  );
  const a = before.batch(cols10k, n);
  const b = predict(model, cols10k, { outputMargin: true });
  let differ = 0;
  for (let i = 0; i < n; i++) {
    fill(i);
    if (a[i] !== b[i] || predictRow(compiled, row, out, { outputMargin: true })[0] !== a[i]) differ++;
  }
  console.log(`TypeScript before/after margins differing (bit for bit) on ${n} rows: ${differ}`);
}

async function speedBench(): Promise<void> {
  const shared = sharedDir();
  const bigDir = process.env.PULSE_GBDT_BIG_DIR ?? defaultBigDir(shared);
  const xgb = xgboostLine(shared, bigDir);

  let t0 = process.hrtime.bigint();
  const trainSet = loadCsvDataset(path.join(bigDir, 'train.csv'));
  const testSet = loadCsvDataset(path.join(bigDir, 'test.csv'));
  console.log(
    `loaded ${trainSet.numRows} + ${testSet.numRows} rows x ${trainSet.numFeatures} features in ${secs(t0).toFixed(2)} s [${load()}]`,
  );

  const params = {
    objective: 'binary:logistic' as const,
    max_bin: 255,
    max_depth: 6,
    eta: 0.1,
    num_boost_round: 200,
    lambda: 1,
    min_child_weight: 1,
    base_score: 0.5,
    nthread: 2,
  };
  t0 = process.hrtime.bigint();
  const { model } = await train(params, trainSet);
  const trainSecs = secs(t0);
  const p = predict(model, testSet);
  const auc = aucScore(testSet.label!, p);
  const rssMb = process.resourceUsage().maxRSS / 1024;

  console.log('');
  if (xgb) console.log(`${xgb} [${load()} after it]`);
  console.log(
    `pulse gbdt: train ${trainSecs.toFixed(2)} s, test AUC ${auc.toFixed(6)}, peak RSS ${rssMb.toFixed(0)} MB (whole process, data included) [${load()}]`,
  );
  const m = xgb?.match(/train ([0-9.]+) s, test AUC ([0-9.]+)/);
  if (m) {
    const ratio = trainSecs / Number(m[1]);
    console.log(
      `ratio to XGBoost: time ${ratio.toFixed(2)}x, AUC ${(auc - Number(m[2])).toFixed(4)} (bar: <= 2x, >= -0.001)`,
    );
  }

  const F = testSet.numFeatures;
  predictionTimes(model, testSet.columns, F);
  await onnxTimes(model, testSet.columns, F);
}

const run = process.argv.includes('--quality') ? runQualityBench : speedBench;
run().catch((err) => {
  console.error(err);
  process.exit(1);
});
