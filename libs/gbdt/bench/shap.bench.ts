/**
 * TreeSHAP micro-benchmark: time to explain one prediction of a 200-tree depth-6 model, for a
 * model trained on the shared binary set and for a synthetic model of full depth-6 trees (64
 * leaves each, the worst case for that depth). Also checks additivity on every row it times.
 *
 *   node tools/build.mjs && node dist/libs/gbdt/bench/shap.bench.js
 */
import path from 'node:path';
import { Prng } from '@pulse/core';
// eslint-disable-next-line @nx/enforce-module-boundaries -- bench/ and src/ compile to sibling dist folders; only the alias resolves in both
import { predict, ShapExplainer, trainSync, type Dataset, type GbdtModel, type Tree } from '@pulse/gbdt';
import { sharedDir } from './bench-paths';
import { loadCsvDataset } from './load-csv';

function fullTree(next: () => number, numFeatures: number, depth: number): Tree {
  const n = 2 ** (depth + 1) - 1;
  const t = {
    feature: [] as number[],
    threshold: [] as number[],
    left: [] as number[],
    right: [] as number[],
    defaultLeft: [] as boolean[],
    value: [] as number[],
    cover: [] as number[],
    gain: [] as number[],
  };
  for (let i = 0; i < n; i++) {
    const leaf = 2 * i + 1 >= n;
    t.feature.push(leaf ? -1 : Math.floor(next() * numFeatures));
    t.threshold.push(leaf ? 0 : Math.fround(next() * 2 - 1));
    t.left.push(leaf ? -1 : 2 * i + 1);
    t.right.push(leaf ? -1 : 2 * i + 2);
    t.defaultLeft.push(next() < 0.5);
    t.value.push((next() - 0.5) * 0.2);
    t.cover.push(leaf ? 1 + Math.floor(next() * 100) : 0);
    t.gain.push(leaf ? 0 : next());
  }
  for (let i = n - 1; i >= 0; i--) if (t.feature[i] >= 0) t.cover[i] = t.cover[2 * i + 1] + t.cover[2 * i + 2];
  return t;
}

function syntheticModel(numFeatures: number, trees: number, depth: number): GbdtModel {
  const rng = new Prng(12345);
  const next = (): number => rng.next();
  return {
    format: 'pulse-gbdt',
    formatVersion: 1,
    objective: 'binary:logistic',
    numClass: 1,
    baseMargin: [0],
    featureNames: Array.from({ length: numFeatures }, (_, f) => `f${f}`),
    trees: Array.from({ length: trees }, () => fullTree(next, numFeatures, depth)),
    treeClass: new Array<number>(trees).fill(0),
    numRounds: trees,
    params: {},
  };
}

function timeRows(
  label: string,
  model: GbdtModel,
  data: Dataset,
  algorithm: 'leafwise' | 'recursive' = 'leafwise',
): void {
  const e = new ShapExplainer(model, { algorithm });
  const out = e.allocate();
  const F = data.numFeatures;
  const row = new Float32Array(F);
  const margins = predict(model, data, { outputMargin: true });
  const rows = data.numRows;
  const load = (r: number): void => {
    for (let f = 0; f < F; f++) row[f] = data.columns[f][r];
  };
  for (let r = 0; r < Math.min(rows, 200); r++) {
    load(r);
    e.explain(row, out); // warm-up
  }
  const times = new Float64Array(rows);
  let worst = 0;
  const cpu0 = process.cpuUsage();
  for (let r = 0; r < rows; r++) {
    load(r);
    const t0 = process.hrtime.bigint();
    e.explain(row, out);
    times[r] = Number(process.hrtime.bigint() - t0) / 1e6;
    let total = out.bias[0];
    for (let f = 0; f < F; f++) total += out.contributions[f];
    worst = Math.max(worst, Math.abs(total - margins[r]));
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuPerRow = (cpu.user + cpu.system) / 1000 / rows;
  const sorted = Array.from(times).sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / rows;
  const q = (p: number): number => sorted[Math.min(rows - 1, Math.floor(p * rows))];
  const leaves = model.trees.reduce((a, t) => a + t.feature.filter((f) => f < 0).length, 0);
  console.log(
    `${label} [${algorithm}]: ${model.trees.length} trees, ${leaves} leaves, ${F} features, ${rows} rows | per row mean ${mean.toFixed(3)} ms, ` +
      `p50 ${q(0.5).toFixed(3)} ms, p99 ${q(0.99).toFixed(3)} ms, CPU time per row ${cpuPerRow.toFixed(3)} ms | max |sum(phi) + bias - margin| = ${worst.toExponential(2)}`,
  );
}

function main(): void {
  const dir = path.join(sharedDir(), 'datasets', 'lgb_binary_classification');
  const trainSet = loadCsvDataset(path.join(dir, 'train.csv'), { labelColumn: 'label' });
  const testSet = loadCsvDataset(path.join(dir, 'test.csv'), { labelColumn: 'label' });
  const t0 = Date.now();
  const { model } = trainSync(
    {
      objective: 'binary:logistic',
      max_depth: 6,
      eta: 0.1,
      num_boost_round: 200,
      max_bin: 255,
      lambda: 1,
      min_child_weight: 1,
    },
    trainSet,
  );
  console.log(`trained the binary model in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  timeRows('trained (lgb_binary_classification test set)', model, testSet);
  timeRows('trained, recursive algorithm (reference)', model, testSet, 'recursive');

  const synth = syntheticModel(28, 200, 6);
  timeRows('synthetic full depth-6 trees (worst case)', synth, testSet);
}

main();
