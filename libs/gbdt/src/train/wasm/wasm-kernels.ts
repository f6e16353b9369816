/**
 * The WebAssembly training kernels (kernels.wat) and the shared memory they work in.
 *
 * Position buffers, node histograms and the worker's scratch histograms are allocated in one
 * shared WebAssembly.Memory (`KernelMemory`), as typed-array views, so the JavaScript code keeps
 * using plain typed arrays while the two hot loops — packed histograms and row moves — run as
 * WebAssembly on the same bytes, on both threads. Results are bit-identical to the JavaScript
 * kernels in hist-kernel.ts (integer-valued float64 sums; byte copies), which remain the path for
 * everything else and for arrays that live outside the memory.
 */
import {
  gatherRange,
  histogramRange,
  leafUpdateRange,
  moveRange,
  splitSumsRange,
  type PosBuffer,
} from '../hist-kernel';
import { KERNELS_WASM_BASE64 } from './kernels.wasm';

const PAGE_BYTES = 65_536;
/** 4 GiB: the most a 32-bit memory can address. Virtual space only; pages are committed as used. */
const MAX_PAGES = 65_536;
const ALIGN = 64;

let compiled: WebAssembly.Module | null | undefined;
let enabled = true;

/** Tests turn the kernels off to compare against the JavaScript path (KernelMemory.create then returns null). */
export function setWasmKernelsEnabled(on: boolean): void {
  enabled = on;
}

/** The compiled module, or null where this runtime lacks WebAssembly SIMD or threads. */
export function kernelsModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/**
 * A bump allocator of typed-array views over one shared, growable WebAssembly.Memory. Nothing is
 * freed: a training run allocates its buffers once and recycles histograms itself.
 */
export class KernelMemory {
  readonly memory: WebAssembly.Memory;
  private top = ALIGN;
  /** Every SharedArrayBuffer object this memory has handed views on (it changes when the memory grows). */
  private readonly buffers = new WeakSet<ArrayBufferLike>();

  private constructor(initialBytes: number) {
    const pages = Math.max(1, Math.ceil(initialBytes / PAGE_BYTES));
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
  }

  /**
   * A memory with room for about `initialBytes`, or null when the kernels cannot run here or the
   * data would not fit in 4 GiB (callers then use ordinary arrays and the JavaScript kernels).
   */
  static create(initialBytes: number): KernelMemory | null {
    if (!enabled || kernelsModule() === null || initialBytes > (MAX_PAGES - 16) * PAGE_BYTES) return null;
    try {
      return new KernelMemory(initialBytes);
    } catch {
      return null;
    }
  }

  /** Whether `a` is a view on this memory (the kernels can only address those). */
  owns(a: ArrayBufferView): boolean {
    return this.buffers.has(a.buffer);
  }

  uint8(n: number): Uint8Array {
    const at = this.reserve(Math.max(8, n));
    return new Uint8Array(this.buffer(), at, n);
  }

  int32(n: number): Int32Array {
    const at = this.reserve(4 * Math.max(1, n));
    return new Int32Array(this.buffer(), at, n);
  }

  float32(n: number): Float32Array {
    const at = this.reserve(4 * Math.max(1, n));
    return new Float32Array(this.buffer(), at, n);
  }

  float64(n: number): Float64Array {
    const at = this.reserve(8 * Math.max(1, n));
    return new Float64Array(this.buffer(), at, n);
  }

  private reserve(bytes: number): number {
    const at = this.top;
    const end = at + Math.ceil(bytes / ALIGN) * ALIGN;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const need = Math.ceil((end - have) / PAGE_BYTES);
      // grow by at least a quarter, so a run of small allocations does not grow page by page
      this.memory.grow(Math.max(need, Math.ceil(have / PAGE_BYTES / 4)));
    }
    this.top = end;
    return at;
  }

  /** The memory's current buffer (after reserve: a grown memory hands out a new, longer one). */
  private buffer(): ArrayBufferLike {
    const b = this.memory.buffer;
    this.buffers.add(b);
    return b;
  }
}

/** The kernels instantiated on one thread over a memory (each thread instantiates its own). */
export interface WasmKernels {
  hist4(
    bins: number,
    S: number,
    pay: number,
    start: number,
    end: number,
    c0: number,
    c1: number,
    c2: number,
    c3: number,
    h0: number,
    h1: number,
    h2: number,
    h3: number,
  ): void;
  hist1(bins: number, S: number, pay: number, start: number, end: number, c0: number, h0: number): void;
  move(
    sb: number,
    db: number,
    sp: number,
    dp: number,
    spay: number,
    dpay: number,
    payBytes: number,
    S: number,
    start: number,
    end: number,
    byte: number,
    bin: number,
    dl: number,
    miss: number,
    l: number,
    r: number,
  ): number;
  gather(
    perm: number,
    gh: number,
    pay: number,
    start: number,
    end: number,
    gScale: number,
    hScale: number,
    mul: number,
    seed: number,
  ): void;
  splitSums(
    perm: number,
    bins: number,
    S: number,
    byte: number,
    bin: number,
    dl: number,
    miss: number,
    gh: number,
    start: number,
    end: number,
    out: number,
    side: number,
  ): void;
  leafUpdate(
    margin: number,
    perm: number,
    side: number,
    sided: number,
    vL: number,
    vR: number,
    K: number,
    k: number,
    start: number,
    end: number,
  ): void;
}

export function instantiateKernels(memory: WebAssembly.Memory): WasmKernels {
  const mod = kernelsModule();
  if (mod === null) throw new Error('WebAssembly SIMD/threads are not available in this runtime');
  return new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as WasmKernels;
}

/** Rows per block of the histogram loop (keeps a block's rows in L1/L2 across feature groups). */
const HIST_BLOCK_ROWS = 2048;

/**
 * histogramRange (hist-kernel.ts) on the kernels when `k` is given, the histogram is packed
 * (stride 1) and every array is a view on the kernels' memory (the caller vouches for that);
 * the JavaScript kernel otherwise. Same sums either way.
 */
export function histogramRangeWith(
  k: WasmKernels | null,
  bins: Uint8Array,
  S: number,
  binCol: Int32Array,
  offsets: Int32Array,
  F: number,
  pay: Float64Array,
  stride: number,
  start: number,
  end: number,
  hist: Float64Array,
  histBase: number,
): void {
  if (k === null || stride !== 1) {
    histogramRange(bins, S, binCol, offsets, F, pay, stride, start, end, hist, histBase);
    return;
  }
  const b = bins.byteOffset;
  const p = pay.byteOffset;
  const h = hist.byteOffset + 8 * histBase;
  for (let c = start; c < end; c += HIST_BLOCK_ROWS) {
    const e = Math.min(end, c + HIST_BLOCK_ROWS);
    let f = 0;
    for (; f + 4 <= F; f += 4) {
      k.hist4(
        b,
        S,
        p,
        c,
        e,
        binCol[f],
        binCol[f + 1],
        binCol[f + 2],
        binCol[f + 3],
        h + 8 * offsets[f],
        h + 8 * offsets[f + 1],
        h + 8 * offsets[f + 2],
        h + 8 * offsets[f + 3],
      );
    }
    for (; f < F; f++) k.hist1(b, S, p, c, e, binCol[f], h + 8 * offsets[f]);
  }
}

/** moveRange (hist-kernel.ts) on the kernels when `k` is given (buffers in its memory); same result and return value. */
export function moveRangeWith(
  k: WasmKernels | null,
  src: PosBuffer,
  dst: PosBuffer,
  S: number,
  payWords: number,
  start: number,
  end: number,
  byte: number,
  bin: number,
  defaultLeft: boolean,
  missingBin: number,
  leftAt: number,
  rightAt: number,
): number {
  if (k === null)
    return moveRange(src, dst, S, payWords, start, end, byte, bin, defaultLeft, missingBin, leftAt, rightAt);
  return k.move(
    src.bins.byteOffset,
    dst.bins.byteOffset,
    src.perm.byteOffset,
    dst.perm.byteOffset,
    src.pay.byteOffset,
    dst.pay.byteOffset,
    8 * payWords,
    S,
    start,
    end,
    byte,
    bin,
    defaultLeft ? 1 : 0,
    missingBin,
    leftAt,
    rightAt,
  );
}

/** gatherRange (hist-kernel.ts) on the kernels for a packed payload (stride 1) when `k` is given; same values. */
export function gatherRangeWith(
  k: WasmKernels | null,
  perm: Int32Array,
  gh: Float32Array,
  pay: Float64Array,
  stride: number,
  start: number,
  end: number,
  gScale: number,
  hScale: number,
  shift: number,
  seed: number,
): void {
  if (k === null || stride !== 1) gatherRange(perm, gh, pay, stride, start, end, gScale, hScale, shift, seed);
  else k.gather(perm.byteOffset, gh.byteOffset, pay.byteOffset, start, end, gScale, hScale, 2 ** shift, seed | 0);
}

/**
 * splitSumsRange (hist-kernel.ts) on the kernels when `k` is given (every array in its memory;
 * `out` too, since the kernel writes the four sums there); same sums and sides.
 */
export function splitSumsRangeWith(
  k: WasmKernels | null,
  perm: Int32Array,
  bins: Uint8Array,
  S: number,
  byte: number,
  bin: number,
  defaultLeft: boolean,
  missingBin: number,
  gh: Float32Array,
  start: number,
  end: number,
  out: Float64Array,
  at: number,
  side: Uint8Array,
): void {
  if (k === null) splitSumsRange(perm, bins, S, byte, bin, defaultLeft, missingBin, gh, start, end, out, at, side);
  else
    k.splitSums(
      perm.byteOffset,
      bins.byteOffset,
      S,
      byte,
      bin,
      defaultLeft ? 1 : 0,
      missingBin,
      gh.byteOffset,
      start,
      end,
      out.byteOffset + 8 * at,
      side.byteOffset,
    );
}

/** leafUpdateRange (hist-kernel.ts) on the kernels when `k` is given (every array in its memory). */
export function leafUpdateRangeWith(
  k: WasmKernels | null,
  margin: Float64Array,
  perm: Int32Array,
  side: Uint8Array,
  sided: boolean,
  vL: number,
  vR: number,
  K: number,
  kk: number,
  start: number,
  end: number,
): void {
  if (k === null) leafUpdateRange(margin, perm, side, sided, vL, vR, K, kk, start, end);
  else k.leafUpdate(margin.byteOffset, perm.byteOffset, side.byteOffset, sided ? 1 : 0, vL, vR, K, kk, start, end);
}
