/**
 * The WebAssembly kernels against the JavaScript ones they replace: the same histograms,
 * partitions, payloads, split sums and margins, bit for bit, and the same trained model.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createDataset } from '../../data/dataset';
import { modelToJson } from '../../model/model-io';
import { binColumnsOf, createPosBuffers, fillPositions, posBufferBytes, rowStrideOf } from '../position-buffers';
import { createTrainingOps } from '../training-ops';
import type { OpsContext, TrainingOps } from '../training-ops.types';
import { Prng } from '@pulse/core';
import { trainSync } from '../train';
import { KERNELS_WASM_BASE64 } from './kernels.wasm';
import { KernelMemory, kernelsModule, setWasmKernelsEnabled } from './wasm-kernels';

const n = 20011;
const F = 11; // not a multiple of 4 (the one-feature kernel) and not of 7 (a partly used row word)
const bins = 40;
const S = rowStrideOf(F);

function context(stride: 1 | 2, memory: KernelMemory | null): OpsContext {
  const rng = new Prng(9);
  const colBins = new Uint8Array(n * F);
  for (let r = 0; r < n; r++) for (let f = 0; f < F; f++) colBins[f * n + r] = rng.nextInt(bins + 1); // bin 40 = missing
  const pos = createPosBuffers(n, S, stride === 1 ? 1 : 2, false, memory);
  fillPositions(pos[0], colBins, n, F, S);
  const gh = memory ? memory.float32(2 * n) : new Float32Array(2 * n);
  for (let i = 0; i < 2 * n; i++) gh[i] = i % 2 === 0 ? rng.next() - 0.4 : rng.next() * 0.25;
  const margin = memory ? memory.float64(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) margin[i] = rng.next() * 2 - 1;
  const offsets = Int32Array.from({ length: F }, (_, f) => f * (bins + 1));
  return {
    pos,
    rowStride: S,
    binCol: binColumnsOf(F),
    offsets,
    numFeatures: F,
    numRows: n,
    gh,
    histSize: F * (bins + 1) * stride,
    stride,
    margin,
    label: new Float64Array(n),
    weight: null,
    memory,
  };
}

/** Runs one tree's worth of operations and returns everything they wrote. */
function exercise(ops: TrainingOps, ctx: OpsContext): Record<string, number[]> {
  const quant = ctx.stride === 1 ? { gScale: 100, hScale: 300, shift: 24, seed: 12345 } : null;
  ops.gather(0, n, quant);
  const root = ops.allocHist();
  ops.build([{ buf: 0, start: 0, end: n, hist: root }]);
  const split = { buf: 0, start: 0, end: n, feature: 5, bin: 17, defaultLeft: true, missingBin: bins, shard: 0 };
  const [left] = ops.partition([split], true);
  const children = [ops.allocHist(), ops.allocHist()];
  ops.build([
    { buf: 1, start: 0, end: left, hist: children[0] },
    { buf: 1, start: left, end: n, hist: children[1] },
  ]);
  const tasks = [
    { buf: 1, start: 0, end: left, feature: 10, bin: 3, defaultLeft: false, missingBin: bins, shard: 0 },
    { buf: 1, start: left, end: n, feature: 0, bin: 39, defaultLeft: true, missingBin: bins, shard: 0 },
  ];
  const sums = ops.splitSums(tasks);
  ops.addLeaves(
    [
      { buf: 1, start: 0, end: left, value: 0.25, split: { rightValue: -0.5 } },
      { buf: 1, start: left, end: n, value: 0.125 },
    ],
    1,
    0,
  );
  return {
    pay: [...ctx.pos[0].pay],
    root: [...root],
    children: [...children[0], ...children[1]],
    left: [left],
    moved: [...ctx.pos[1].bins, ...ctx.pos[1].perm, ...ctx.pos[1].pay],
    sums: [...sums],
    margin: [...ctx.margin],
  };
}

describe('WebAssembly training kernels', () => {
  it('compile in this runtime', () => {
    expect(kernelsModule()).not.toBeNull();
  });

  it.each([1, 2] as const)('match the JavaScript kernels bit for bit (histogram stride %i)', (stride) => {
    const memory = KernelMemory.create(posBufferBytes(n, S, 2));
    expect(memory).not.toBeNull();
    const jsCtx = context(stride, null);
    const wasmCtx = context(stride, memory);
    const js = exercise(createTrainingOps(jsCtx, 1), jsCtx);
    const wasm = exercise(createTrainingOps(wasmCtx, 1), wasmCtx);
    for (const key of Object.keys(js)) expect({ key, values: wasm[key] }).toEqual({ key, values: js[key] });
    expect(js.left[0]).toBeGreaterThan(0);
    expect(js.left[0]).toBeLessThan(n);
  });

  it('grow their memory on demand without invalidating earlier views', () => {
    const memory = KernelMemory.create(1)!;
    const a = memory.float64(10);
    a.fill(7);
    const b = memory.float64(2_000_000); // several pages beyond the first
    b[b.length - 1] = 3;
    expect([...a]).toEqual(Array(10).fill(7));
    expect(memory.owns(a) && memory.owns(b)).toBe(true);
    expect(memory.owns(new Float64Array(4))).toBe(false);
  });

  it('train the same model as the JavaScript kernels', () => {
    const rng = new Prng(3);
    const rows = 3000;
    const columns = Array.from({ length: 5 }, () =>
      Float32Array.from({ length: rows }, () => (rng.next() < 0.05 ? NaN : rng.next())),
    );
    const label = Float64Array.from({ length: rows }, (_, r) =>
      columns[0][r] + columns[1][r] * columns[2][r] + 0.3 * rng.next() > 0.8 ? 1 : 0,
    );
    const data = createDataset({ columns, label });
    const params = {
      objective: 'binary:logistic' as const,
      num_boost_round: 15,
      max_depth: 4,
      use_quantized_grad: true as const,
      subsample: 0.8,
      seed: 5,
    };
    const withKernels = modelToJson(trainSync(params, data).model);
    setWasmKernelsEnabled(false);
    try {
      expect(modelToJson(trainSync(params, data).model)).toBe(withKernels);
    } finally {
      setWasmKernelsEnabled(true);
    }
  });

  it('are the compiled form of kernels.wat (run `npm run wasm:gen` after editing it)', async () => {
    // wabt is a dev dependency, used by tools/wasm-gen.mjs and here only
    type WabtFactory = () => Promise<{
      parseWat(
        name: string,
        text: string,
        features: object,
      ): { validate(f: object): void; toBinary(o: object): { buffer: Uint8Array }; destroy(): void };
    }>;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loadWabt = require('wabt') as WabtFactory;
    const wabt = await loadWabt();
    const features = { simd: true, threads: true };
    const mod = wabt.parseWat('kernels.wat', fs.readFileSync(path.join(__dirname, 'kernels.wat'), 'utf8'), features);
    mod.validate(features);
    const bytes = Buffer.from(mod.toBinary({}).buffer);
    mod.destroy();
    expect(bytes.toString('base64')).toBe(KERNELS_WASM_BASE64);
  });
});
