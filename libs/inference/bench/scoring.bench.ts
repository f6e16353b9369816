/**
 * Per-row cost of scoring into a prediction, next to a bare onnxruntime-node session on the same
 * model in the same run: single rows (sequential awaits: latency) and 10,000-row batches (rows/s),
 * plain scoring against scoring with TreeSHAP factors. The model is the default lesson_completion spec
 * (its own tree parameters) trained on a simulated log.
 *
 *   node tools/build.mjs && node dist/libs/inference/bench/scoring.bench.js [--learners 300] [--days 35]
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import { createSimulation } from '@pulse/simulator';
import { FeatureRegistry, LEARNING_ENGAGEMENT_VIEWS } from '@pulse/features';
import { compileModelSpec, lessonCompletionModel } from '@pulse/models';
import { trainModel } from '@pulse/training';
// eslint-disable-next-line @nx/enforce-module-boundaries -- bench/ and src/ compile to sibling dist folders; only the alias resolves in both
import {
  loadServableModel,
  scorePredictions,
  scorePrediction,
  type ModelInput,
  type ServableModel,
} from '@pulse/inference';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const loadAvg = () => `load ${os.loadavg()[0].toFixed(2)}`;
const now = () => Number(process.hrtime.bigint()) / 1e3; // µs

function quantiles(samples: number[]): { mean: number; p50: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b);
  return {
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
    p50: s[Math.floor(s.length * 0.5)],
    p99: s[Math.floor(s.length * 0.99)],
  };
}

async function perRow(label: string, reps: number, fn: (i: number) => Promise<unknown> | unknown): Promise<void> {
  for (let i = 0; i < Math.min(500, reps); i++) await fn(i);
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = now();
    await fn(i);
    samples.push(now() - t0);
  }
  const q = quantiles(samples);
  console.log(
    `${label.padEnd(52)} mean ${q.mean.toFixed(1).padStart(7)} µs  p50 ${q.p50.toFixed(1).padStart(7)} µs  p99 ${q.p99.toFixed(1).padStart(7)} µs  [${loadAvg()}]`,
  );
}

async function batch(label: string, rows: number, reps: number, fn: () => Promise<unknown>): Promise<void> {
  await fn();
  const t0 = now();
  for (let r = 0; r < reps; r++) await fn();
  const us = (now() - t0) / reps;
  console.log(
    `${label.padEnd(52)} ${(us / 1000).toFixed(1).padStart(7)} ms / ${rows} rows  ${Math.round((rows / us) * 1e6)
      .toLocaleString('en')
      .padStart(10)} rows/s  [${loadAvg()}]`,
  );
}

async function main(): Promise<void> {
  const learners = arg('learners', 300);
  const days = arg('days', 35);
  const registry = new FeatureRegistry(LEARNING_ENGAGEMENT_VIEWS);
  const events = [...createSimulation({ seed: 7, learners, days, startTimeMs: Date.UTC(2026, 0, 5) })];
  const watermarkMs = events.reduce((m, e) => Math.max(m, e.eventTimeMs), -Infinity);
  events.sort((a, b) => (a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : 0));
  console.log(`training lesson_completion on ${learners} learners x ${days} days (${events.length} events)...`);
  const t0 = Date.now();
  const trained = await trainModel({ spec: lessonCompletionModel, registry, events, watermarkMs });
  const trees = trained.gbdt.trees.length;
  const depth = trained.gbdt.params.max_depth;
  const F = trained.signature.inputs.length;
  console.log(`trained in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${trees} trees, max_depth ${depth}, ${F} inputs`);
  const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
  const contents = {
    model: trained.model,
    version: 1,
    task: trained.task,
    signature: trained.signature,
    testSample: trained.testSample,
    onnx: trained.onnx,
    onnxSha256: sha(trained.onnx),
    modelJson: trained.modelJson,
    modelJsonSha256: sha(trained.modelJson),
  };
  const compiled = compileModelSpec(lessonCompletionModel, registry);

  const t1 = now();
  const servable: ServableModel = await loadServableModel(contents);
  console.log(
    `loaded and verified (sha256, load, signature, ${contents.testSample.rows.length}-row test sample) in ${((now() - t1) / 1000).toFixed(1)} ms`,
  );
  const single: ServableModel = await loadServableModel(contents, { sessionOptions: { intraOpNumThreads: 1 } });

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
  const bare = await ort.InferenceSession.create(trained.onnx);
  const sample = trained.testSample.rows.map((r) => Float32Array.from(r, (v) => v ?? NaN));
  const inputs: ModelInput[] = sample.map((vector) => ({ vector, staleness: new Array(F).fill(60_000) }));
  const bareRun = (rows: Float32Array, n: number) =>
    bare.run({ [trained.signature.inputName]: new ort.Tensor('float32', rows, [n, F]) }, ['probabilities']);
  const pick = (i: number) => sample[i % sample.length];
  const pickInput = (i: number) => inputs[i % inputs.length];
  const reps = 5000;

  console.log(`\nsingle row (sequential awaits, ${reps} rows):`);
  await perRow('bare onnxruntime-node session.run', reps, (i) => bareRun(pick(i), 1));
  await perRow('ServableModel.score', reps, (i) => servable.score(pick(i), 1));
  await perRow('ServableModel.score, intraOpNumThreads 1', reps, (i) => single.score(pick(i), 1));
  await perRow('TreeSHAP alone (explain one row)', reps, (i) => servable.explain(pick(i)));
  await perRow('scorePrediction, no factors', reps, (i) =>
    scorePrediction(compiled, servable, pickInput(i), { alias: 'champion', topFactors: 0 }),
  );
  await perRow('scorePrediction, top 5 factors', reps, (i) =>
    scorePrediction(compiled, servable, pickInput(i), { alias: 'champion', topFactors: 5 }),
  );

  const N = 10_000;
  const big = new Float32Array(N * F);
  const bigInputs: ModelInput[] = [];
  for (let i = 0; i < N; i++) {
    big.set(pick(i), i * F);
    bigInputs.push(pickInput(i));
  }
  console.log(`\nbatches of ${N} rows (one onnxruntime call each):`);
  await batch('bare onnxruntime-node session.run', N, 20, () => bareRun(big, N));
  await batch('ServableModel.score', N, 20, () => servable.score(big, N));
  await batch('ServableModel.score, intraOpNumThreads 1', N, 20, () => single.score(big, N));
  await batch('scorePredictions, no factors, no inputs', N, 5, () =>
    scorePredictions(compiled, servable, bigInputs, { alias: 'champion', topFactors: 0, includeInputs: false }),
  );
  await batch('scorePredictions, no factors, with inputs', N, 5, () =>
    scorePredictions(compiled, servable, bigInputs, { alias: 'champion', topFactors: 0 }),
  );
  await batch('scorePredictions, top 5 factors, with inputs', N, 2, () =>
    scorePredictions(compiled, servable, bigInputs, { alias: 'champion', topFactors: 5 }),
  );
  await Promise.all([servable.close(), single.close(), bare.release()]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
