/**
 * The two-thread operations against the single-thread ones. Jest runs TypeScript sources, which a
 * Worker cannot load, so the worker and its kernel are compiled with swc (a dev dependency, used
 * only here) into a temporary folder first.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { transformFileSync } from '@swc/core';
import {
  binColumnsOf,
  createPosBuffers,
  fillPositions,
  rowStrideOf,
  sharedFloat32,
  sharedFloat64,
} from './position-buffers';
import { createTrainingOps, setHistWorkerScript } from './training-ops';
import type { OpsContext } from './training-ops.types';
import { Prng } from '@pulse/core';
import { CtrlSlot, WorkerState } from './worker-protocol';

const n = 30000;
const F = 6;
const totalBins = F * 33;

const S = rowStrideOf(F);
const binCol = binColumnsOf(F);
const colBins = new Uint8Array(n * F);

function context(): OpsContext {
  const rng = new Prng(5);
  for (let r = 0; r < n; r++) for (let f = 0; f < F; f++) colBins[f * n + r] = rng.nextInt(33);
  const pos = createPosBuffers(n, S, 2, true);
  fillPositions(pos[0], colBins, n, F, S);
  const gh = sharedFloat32(2 * n);
  for (let i = 0; i < 2 * n; i++) gh[i] = rng.next() - 0.3;
  const margin = sharedFloat64(n);
  const label = sharedFloat64(n);
  for (let i = 0; i < n; i++) {
    margin[i] = rng.next() * 4 - 2;
    label[i] = rng.next() < 0.4 ? 1 : 0;
  }
  const offsets = Int32Array.from({ length: F }, (_, f) => f * 33);
  return {
    pos,
    rowStride: S,
    binCol,
    offsets,
    numFeatures: F,
    numRows: n,
    gh,
    histSize: totalBins * 2,
    stride: 2,
    margin,
    label,
    weight: null,
  };
}

function clone(ctx: OpsContext): OpsContext {
  const copy = <T extends { length: number; set(a: ArrayLike<number>): void }>(a: T, make: (k: number) => T): T => {
    const b = make(a.length);
    b.set(a as unknown as ArrayLike<number>);
    return b;
  };
  const pos = createPosBuffers(n, S, 2, true);
  for (let b = 0; b < 2; b++) {
    pos[b].bins.set(ctx.pos[b].bins);
    pos[b].perm.set(ctx.pos[b].perm);
    pos[b].pay.set(ctx.pos[b].pay);
  }
  return { ...ctx, pos, gh: copy(ctx.gh, sharedFloat32), margin: copy(ctx.margin, sharedFloat64) };
}

/** Every position of a buffer range holds its row's bins (the bins moved with the row index). */
function expectConsistent(ctx: OpsContext, buf: number, start: number, end: number): void {
  const { bins, perm } = ctx.pos[buf];
  let bad = 0;
  for (let i = start; i < end; i++)
    for (let f = 0; f < F; f++) if (bins[i * S + binCol[f]] !== colBins[f * n + perm[i]]) bad++;
  expect(bad).toBe(0);
}

describe('two-thread training operations', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gbdt-worker-'));
    fs.mkdirSync(path.join(dir, 'wasm'));
    for (const name of [
      'hist.worker',
      'hist-kernel',
      'worker-protocol',
      'bin-worker',
      'binning',
      'wasm/wasm-kernels',
      'wasm/kernels.wasm',
    ]) {
      const { code } = transformFileSync(path.join(__dirname, `${name}.ts`), {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      });
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
      const ma = local.gradients('logistic');
      const mb = parallel.gradients('logistic');
      expect(Array.from(b.gh)).toEqual(Array.from(a.gh));
      // the quantization maxima come with the gradients: the largest |g| and h as stored
      let gmax = 0;
      let hmax = 0;
      for (let r = 0; r < n; r++) {
        gmax = Math.max(gmax, Math.abs(a.gh[2 * r]));
        hmax = Math.max(hmax, a.gh[2 * r + 1]);
      }
      expect([ma[0], ma[1]]).toEqual([gmax, hmax]);
      expect([mb[0], mb[1]]).toEqual([gmax, hmax]);
      // the gradient payload of all positions, then partitions: the root, then two children with different splits
      local.gather(0, n, null);
      parallel.gather(0, n, null);
      expect(Array.from(b.pos[0].pay)).toEqual(Array.from(a.pos[0].pay));
      // the root's two shards (the worker moves shard 1): each range into the same range of buffer 1
      const h = n >> 1;
      const rootSplit = { buf: 0, feature: 2, bin: 15, defaultLeft: true, missingBin: 32 };
      const root = [
        { ...rootSplit, start: 0, end: h, shard: 0 },
        { ...rootSplit, start: h, end: n, shard: 1 },
      ];
      const ca = local.partition(root, true);
      const cb = parallel.partition(root, true);
      expect(Array.from(cb)).toEqual(Array.from(ca));
      expect(Array.from(b.pos[1].perm)).toEqual(Array.from(a.pos[1].perm));
      expect(Array.from(b.pos[1].pay)).toEqual(Array.from(a.pos[1].pay));
      expectConsistent(b, 1, 0, n);
      // left rows in order from each range's start, right rows in reverse order from its end
      const goesLeft2 = (r: number): boolean => colBins[2 * n + r] <= 15 || colBins[2 * n + r] === 32; // 32: missing, default left
      for (const [start, end, left] of [
        [0, h, ca[0]],
        [h, n, ca[1]],
      ]) {
        const src = Array.from(a.pos[0].perm.subarray(start, end));
        const want = [...src.filter(goesLeft2), ...src.filter((r) => !goesLeft2(r)).reverse()];
        expect(Array.from(a.pos[1].perm.subarray(start, end))).toEqual(want);
        expect(left).toBe(src.filter(goesLeft2).length);
      }
      const level = [
        { buf: 1, start: 0, end: ca[0], feature: 0, bin: 3, defaultLeft: false, missingBin: 32, shard: 0 },
        { buf: 1, start: ca[0], end: h, feature: 5, bin: 20, defaultLeft: false, missingBin: 32, shard: 0 },
        { buf: 1, start: h, end: h + ca[1], feature: 0, bin: 3, defaultLeft: false, missingBin: 32, shard: 1 },
        { buf: 1, start: h + ca[1], end: n, feature: 5, bin: 20, defaultLeft: false, missingBin: 32, shard: 1 },
      ];
      expect(Array.from(parallel.partition(level, true))).toEqual(Array.from(local.partition(level, true)));
      expect(Array.from(b.pos[0].perm)).toEqual(Array.from(a.pos[0].perm));
      expectConsistent(a, 0, 0, n);
      expectConsistent(b, 0, 0, n);
      // every row still present once
      expect(new Set(Array.from(a.pos[0].perm)).size).toBe(n);
      // histograms of position ranges, against a direct count by row
      const tasks = () => {
        const shared = new Float64Array(totalBins * 2);
        return [
          { buf: 1, start: 0, end: ca[0], hist: new Float64Array(totalBins * 2) },
          { buf: 0, start: 100, end: 9000, hist: new Float64Array(totalBins * 2) },
          { buf: 0, start: 5, end: 50, hist: new Float64Array(totalBins * 2) },
          // two ranges into one histogram (a node with rows in both shards)
          { buf: 0, start: 9000, end: 9500, hist: shared },
          { buf: 0, start: 20000, end: 25000, hist: shared },
        ];
      };
      const ha = tasks();
      const hb = tasks();
      local.build(ha);
      parallel.build(hb);
      for (let t = 0; t < ha.length; t++)
        for (let j = 0; j < totalBins * 2; j++) expect(hb[t].hist[j]).toBeCloseTo(ha[t].hist[j], 8);
      const two = tasks();
      local.build([two[3]]);
      const once = Float64Array.from(two[3].hist);
      local.build([{ ...two[4], hist: two[3].hist }]);
      for (let j = 0; j < totalBins * 2; j++) expect(ha[3].hist[j]).toBeCloseTo(once[j] + two[3].hist[j], 8);
      const direct = new Float64Array(totalBins * 2);
      for (let i = 100; i < 9000; i++) {
        const r = a.pos[0].perm[i];
        for (let f = 0; f < F; f++) {
          const o = (f * 33 + colBins[f * n + r]) * 2;
          direct[o] += a.gh[2 * r];
          direct[o + 1] += a.gh[2 * r + 1];
        }
      }
      for (let j = 0; j < totalBins * 2; j++) expect(ha[1].hist[j]).toBeCloseTo(direct[j], 8);
      // quantized gradients and packed histograms
      const qa = createPosBuffers(n, S, 1, true);
      const qb = createPosBuffers(n, S, 1, true);
      for (const q of [qa, qb]) {
        q[0].bins.set(a.pos[0].bins);
        q[0].perm.set(a.pos[0].perm);
      }
      const localQ = createTrainingOps({ ...a, pos: qa, histSize: totalBins, stride: 1 }, 1);
      const parallelQ = createTrainingOps({ ...b, pos: qb, histSize: totalBins, stride: 1 }, 2);
      try {
        const quant = { gScale: 50, hScale: 80, shift: 24, seed: 12345 };
        localQ.gather(0, n, quant);
        parallelQ.gather(0, n, quant);
        expect(Array.from(qb[0].pay)).toEqual(Array.from(qa[0].pay));
        const ta = [{ buf: 0, start: 0, end: ca[0], hist: new Float64Array(totalBins) }];
        const tb = [{ buf: 0, start: 0, end: ca[0], hist: new Float64Array(totalBins) }];
        localQ.build(ta);
        parallelQ.build(tb);
        expect(Array.from(tb[0].hist)).toEqual(Array.from(ta[0].hist));
      } finally {
        parallelQ.close();
      }
      // margin updates
      const leaves = [
        { buf: 0, start: 0, end: 10000, value: 0.5 },
        { buf: 0, start: 10000, end: n, value: -0.25 },
      ];
      local.addLeaves(leaves, 1, 0);
      parallel.addLeaves(leaves, 1, 0);
      expect(Array.from(b.margin)).toEqual(Array.from(a.margin));
      // last-level splits routed in place: each side's exact gradient sums, and its own leaf value
      const split = { feature: 4, bin: 9, defaultLeft: false, missingBin: 32 };
      const routed = [
        { buf: 0, start: 0, end: 20000, ...split, shard: 0 },
        { buf: 0, start: 20000, end: 20100, ...split, defaultLeft: true, shard: 0 },
      ];
      const sa = local.splitSums(routed);
      const sb = parallel.splitSums(routed);
      expect(Array.from(sb)).toEqual(Array.from(sa));
      const want = [0, 0, 0, 0];
      const goesLeft = (r: number, dl: boolean): boolean => (colBins[4 * n + r] === 32 ? dl : colBins[4 * n + r] <= 9);
      for (let i = 0; i < 20000; i++) {
        const r = a.pos[0].perm[i];
        const side = goesLeft(r, false) ? 0 : 2;
        want[side] += a.gh[2 * r];
        want[side + 1] += a.gh[2 * r + 1];
      }
      want.forEach((x, j) => expect(sa[j]).toBeCloseTo(x, 8));
      const before = Float64Array.from(a.margin);
      const routedLeaves = routed.map((t) => ({
        buf: 0,
        start: t.start,
        end: t.end,
        value: 1,
        split: { ...t, rightValue: -2 },
      }));
      local.addLeaves(routedLeaves, 1, 0);
      parallel.addLeaves(routedLeaves, 1, 0);
      expect(Array.from(b.margin)).toEqual(Array.from(a.margin));
      for (let i = 0; i < 20100; i++) {
        const r = a.pos[0].perm[i];
        expect(a.margin[r] - before[r]).toBe(goesLeft(r, i >= 20000) ? 1 : -2);
      }
    } finally {
      parallel.close();
    }
  });

  it('fails loudly instead of hanging when the worker thread dies', () => {
    const broken = path.join(dir, 'broken.worker.js');
    // what hist.worker does when its loop throws: flag the failure on the control block
    fs.writeFileSync(
      broken,
      "const { workerData } = require('node:worker_threads'); " +
        `Atomics.store(workerData.ctrl, ${CtrlSlot.Alive}, ${WorkerState.Failed}); Atomics.notify(workerData.ctrl, ${CtrlSlot.Done});`,
    );
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
