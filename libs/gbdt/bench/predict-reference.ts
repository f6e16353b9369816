/**
 * The prediction walk the engine used before the perfect-tree layout (kept for the benchmark's
 * "before" figure and as an independent check): flat per-node arrays, one tree at a time, a branch
 * per node, Math.fround on every visit. Same node test: left iff fround(x) < threshold, NaN by defaultLeft.
 */
// eslint-disable-next-line @nx/enforce-module-boundaries -- bench/ and src/ compile to sibling dist folders; only the alias resolves in both
import type { GbdtModel } from '@pulse/gbdt';

export interface ReferenceWalker {
  /** Margin of one row (single-output models). */
  row(values: ArrayLike<number>): number;
  /** Margins of all rows of column-major data, trees outer, rows inner. */
  batch(columns: Float32Array[], numRows: number): Float64Array;
}

export function referenceWalker(model: GbdtModel): ReferenceWalker {
  let total = 0;
  for (const t of model.trees) total += t.feature.length;
  const feature = new Int32Array(total);
  const threshold = new Float32Array(total);
  const left = new Int32Array(total);
  const right = new Int32Array(total);
  const defaultLeft = new Uint8Array(total);
  const value = new Float64Array(total);
  const roots = new Int32Array(model.trees.length);
  let base = 0;
  model.trees.forEach((t, i) => {
    roots[i] = base;
    for (let n = 0; n < t.feature.length; n++) {
      feature[base + n] = t.feature[n];
      threshold[base + n] = t.threshold[n];
      left[base + n] = t.left[n] < 0 ? -1 : base + t.left[n];
      right[base + n] = t.right[n] < 0 ? -1 : base + t.right[n];
      defaultLeft[base + n] = t.defaultLeft[n] ? 1 : 0;
      value[base + n] = t.value[n];
    }
    base += t.feature.length;
  });
  const margin0 = model.baseMargin[0];
  return {
    row(values) {
      let sum = margin0;
      for (let t = 0; t < roots.length; t++) {
        let n = roots[t];
        let f = feature[n];
        while (f >= 0) {
          const x = Math.fround(values[f]);
          n = x < threshold[n] ? left[n] : x >= threshold[n] ? right[n] : defaultLeft[n] ? left[n] : right[n];
          f = feature[n];
        }
        sum += value[n];
      }
      return sum;
    },
    batch(columns, numRows) {
      const out = new Float64Array(numRows).fill(margin0);
      for (let t = 0; t < roots.length; t++) {
        for (let r = 0; r < numRows; r++) {
          let n = roots[t];
          let f = feature[n];
          while (f >= 0) {
            const x = columns[f][r];
            n = x < threshold[n] ? left[n] : x >= threshold[n] ? right[n] : defaultLeft[n] ? left[n] : right[n];
            f = feature[n];
          }
          out[r] += value[n];
        }
      }
      return out;
    },
  };
}
