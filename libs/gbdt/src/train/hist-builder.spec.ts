/**
 * The two-thread operations against the single-thread ones. Jest runs TypeScript sources, which a
 * Worker cannot load, so the worker and its kernel are compiled with swc (a dev dependency, used
 * only here) into a temporary folder first.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { transformFileSync } from '@swc/core';
import { createTrainingOps, setHistWorkerScript, sharedFloat32, sharedFloat64, sharedInt32, sharedUint16, sharedUint8, type OpsContext } from './hist-builder';
import { Rng } from './rng';

const n = 30000;
const F = 6;
const totalBins = F * 33;

function context(): OpsContext {
  const rng = new Rng(5);
  const wide = sharedUint16(n * F);
  const narrow = sharedUint8(n * F);
  const colBins = sharedUint8(n * F);
  for (let r = 0; r < n; r++) {
    for (let f = 0; f < F; f++) {
      const b = rng.nextInt(33);
      wide[r * F + f] = f * 33 + b;
      narrow[r * F + f] = b;
      colBins[f * n + r] = b;
    }
  }
  const bins = { narrow, wide, offsets: Int32Array.from({ length: F }, (_, f) => f * 33) };
  const gh = sharedFloat32(2 * n);
  for (let i = 0; i < 2 * n; i++) gh[i] = rng.next() - 0.3;
  const margin = sharedFloat64(n);
  const label = sharedFloat64(n);
  for (let i = 0; i < n; i++) {
    margin[i] = rng.next() * 4 - 2;
    label[i] = rng.next() < 0.4 ? 1 : 0;
  }
  return { bins, colBins, numFeatures: F, numRows: n, gh, packed: sharedFloat64(n), rows: sharedInt32(n), temp: sharedInt32(n), histSize: totalBins * 2, stride: 2, margin, label, weight: null };
}

function clone(ctx: OpsContext): OpsContext {
  const copy = <T extends { buffer: ArrayBufferLike; length: number; set(a: ArrayLike<number>): void }>(a: T, make: (k: number) => T): T => {
    const b = make(a.length);
    b.set(a as unknown as ArrayLike<number>);
    return b;
  };
  return { ...ctx, packed: sharedFloat64(n), gh: copy(ctx.gh, sharedFloat32), rows: copy(ctx.rows, sharedInt32), temp: sharedInt32(n), margin: copy(ctx.margin, sharedFloat64) };
}

describe('two-thread training operations', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gbdt-worker-'));
    for (const name of ['hist.worker', 'hist-kernel']) {
      const { code } = transformFileSync(path.join(__dirname, `${name}.ts`), { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } });
      fs.writeFileSync(path.join(dir, `${name}.js`), code);
    }
    setHistWorkerScript(path.join(dir, 'hist.worker.js'));
  });
  afterAll(() => {
    setHistWorkerScript(undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('give the same histograms, partitions, gradients and margins as one thread', () => {
    const a = context();
    const b = clone(a);
    const local = createTrainingOps(a, 1);
    const parallel = createTrainingOps(b, 2);
    expect(local.constructor.name).toBe('LocalOps');
    expect(parallel.constructor.name).toBe('ParallelOps');
    try {
      // gradients
      local.gradients('logistic');
      parallel.gradients('logistic');
      expect(Array.from(b.gh)).toEqual(Array.from(a.gh));
      // partitions: the root, then two children with different splits
      for (const ctx of [a, b]) for (let i = 0; i < n; i++) ctx.rows[i] = i;
      const root = [{ start: 0, end: n, feature: 2, bin: 15, defaultLeft: true, missingBin: 32 }];
      const ca = local.partition(root);
      const cb = parallel.partition(root);
      expect(Array.from(cb)).toEqual(Array.from(ca));
      expect(Array.from(b.rows)).toEqual(Array.from(a.rows));
      const level = [
        { start: 0, end: ca[0], feature: 0, bin: 3, defaultLeft: false, missingBin: 32 },
        { start: ca[0], end: n, feature: 5, bin: 20, defaultLeft: false, missingBin: 32 },
      ];
      expect(Array.from(parallel.partition(level))).toEqual(Array.from(local.partition(level)));
      expect(Array.from(b.rows)).toEqual(Array.from(a.rows));
      // every row still present once
      expect(new Set(Array.from(a.rows)).size).toBe(n);
      // histograms, with and without the row index
      const tasks = (allRows: boolean) => [
        { start: 0, end: allRows ? n : ca[0], hist: new Float64Array(totalBins * 2) },
        { start: 100, end: 9000, hist: new Float64Array(totalBins * 2) },
        { start: 5, end: 50, hist: new Float64Array(totalBins * 2) },
      ];
      for (const allRows of [true, false]) {
        const ha = tasks(allRows);
        const hb = tasks(allRows);
        local.build(ha, allRows);
        parallel.build(hb, allRows);
        for (let t = 0; t < ha.length; t++) for (let j = 0; j < totalBins * 2; j++) expect(hb[t].hist[j]).toBeCloseTo(ha[t].hist[j], 8);
      }
      // quantized gradients and packed histograms
      const localQ = createTrainingOps({ ...a, histSize: totalBins, stride: 1 }, 1);
      const parallelQ = createTrainingOps({ ...b, histSize: totalBins, stride: 1 }, 2);
      try {
        localQ.quantize(ca[0], false, 50, 80, 24, 12345);
        parallelQ.quantize(ca[0], false, 50, 80, 24, 12345);
        expect(Array.from(b.packed!)).toEqual(Array.from(a.packed!));
        const qa = [{ start: 0, end: ca[0], hist: new Float64Array(totalBins) }];
        const qb = [{ start: 0, end: ca[0], hist: new Float64Array(totalBins) }];
        localQ.build(qa, false);
        parallelQ.build(qb, false);
        expect(Array.from(qb[0].hist)).toEqual(Array.from(qa[0].hist));
      } finally {
        parallelQ.close();
      }
      // margin updates
      const leaves = [
        { start: 0, end: 10000, value: 0.5 },
        { start: 10000, end: n, value: -0.25 },
      ];
      local.addLeaves(leaves, 1, 0);
      parallel.addLeaves(leaves, 1, 0);
      expect(Array.from(b.margin)).toEqual(Array.from(a.margin));
    } finally {
      parallel.close();
    }
  });

  it('fails loudly instead of hanging when the worker thread dies', () => {
    const broken = path.join(dir, 'broken.worker.js');
    // what hist.worker does when its loop throws: flag the failure on the control block
    fs.writeFileSync(broken, "const { workerData } = require('node:worker_threads'); Atomics.store(workerData.ctrl, 7, -1); Atomics.notify(workerData.ctrl, 1);");
    setHistWorkerScript(broken);
    const ops = createTrainingOps(context(), 2);
    try {
      expect(() => ops.gradients('logistic')).toThrow(/worker thread failed/);
    } finally {
      ops.close();
      setHistWorkerScript(path.join(dir, 'hist.worker.js'));
    }
  });
});
