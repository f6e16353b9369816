/**
 * The two position buffers training moves rows between (bins row-major in 8-byte words, row indices,
 * gradient payload; see hist-kernel.ts), and the shared typed arrays a worker thread can see.
 */
import { fillPositionRange, type PosBuffer } from './hist-kernel';
import type { KernelMemory } from './wasm/wasm-kernels';

/** Payload words per position for a histogram stride. */
export function payloadWords(stride: number): number {
  return stride === 1 ? 1 : 2;
}

/** Bytes per position of the bin matrices: 8-byte words of 7 bins and a zero byte (hist-kernel.ts). */
export function rowStrideOf(numFeatures: number): number {
  return Math.max(1, Math.ceil(numFeatures / 7)) * 8;
}

/** Byte of feature f's bin within a row: word f / 7, byte f % 7 of it (byte 7 of every word stays 0). */
export function binColumnsOf(numFeatures: number): Int32Array {
  return Int32Array.from({ length: numFeatures }, (_, f) => Math.floor(f / 7) * 8 + (f % 7));
}

/** Fills position buffer `dst` with every row in order (perm = identity) from column-major bins. */
export function fillPositions(
  dst: PosBuffer,
  colBins: Uint8Array,
  numRows: number,
  numFeatures: number,
  rowStride: number,
): void {
  fillPositionRange(
    dst.bins,
    dst.perm,
    colBins,
    numRows,
    numFeatures,
    rowStride,
    binColumnsOf(numFeatures),
    0,
    numRows,
  );
}

/**
 * The two position buffers for n rows: in `memory` when given (the WebAssembly kernels' memory,
 * shared with the worker), else shared memory when a worker will use them, else ordinary arrays.
 */
export function createPosBuffers(
  n: number,
  rowStride: number,
  payWords: number,
  shared: boolean,
  memory?: KernelMemory | null,
): [PosBuffer, PosBuffer] {
  const make = (): PosBuffer => {
    const bins = memory
      ? memory.uint8(n * rowStride)
      : shared
        ? sharedUint8(n * rowStride)
        : new Uint8Array(n * rowStride);
    return {
      bins,
      words: new Float64Array(bins.buffer, bins.byteOffset, (n * rowStride) >> 3),
      perm: memory ? memory.int32(n) : shared ? sharedInt32(n) : new Int32Array(n),
      pay: memory
        ? memory.float64(n * payWords)
        : shared
          ? sharedFloat64(n * payWords)
          : new Float64Array(n * payWords),
    };
  };
  return [make(), make()];
}

/** Bytes createPosBuffers takes in a kernel memory (to size it up front). */
export function posBufferBytes(n: number, rowStride: number, payWords: number): number {
  return 2 * (n * rowStride + 4 * n + 8 * n * payWords + 3 * 64);
}

/** SharedArrayBuffer-backed typed arrays, so a worker can see them without copying. */
export function sharedFloat32(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(Math.max(1, n) * 4), 0, n);
}
export function sharedFloat64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(Math.max(1, n) * 8), 0, n);
}
export function sharedInt32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(1, n) * 4), 0, n);
}
export function sharedUint8(n: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(Math.max(8, n)), 0, n);
}
