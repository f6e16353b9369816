/**
 * Writes the train / validation / test rows of an example set as raw little-endian float32 files
 * that numpy reads with np.fromfile: `<split>.x.f32` (rows × features, row-major, NaN = missing) and
 * `<split>.y.f32` (labels), plus meta.json with the shapes and feature names.
 */
import fs from 'node:fs';
import path from 'node:path';

import type { ExampleSet, TimeSplit } from '@pulse/training';

export interface ExportedMatrices {
  readonly dir: string;
  readonly bytes: number;
  readonly rows: { readonly train: number; readonly validation: number; readonly test: number };
}

export function exportMatrices(examples: ExampleSet, split: TimeSplit, dir: string): ExportedMatrices {
  fs.mkdirSync(dir, { recursive: true });
  const F = examples.width;
  let bytes = 0;
  const write = (name: string, rows: Int32Array) => {
    const x = new Float32Array(rows.length * F);
    for (let r = 0; r < rows.length; r++) x.set(examples.row(rows[r]), r * F);
    const y = Float32Array.from(examples.labels(rows));
    fs.writeFileSync(path.join(dir, `${name}.x.f32`), new Uint8Array(x.buffer));
    fs.writeFileSync(path.join(dir, `${name}.y.f32`), new Uint8Array(y.buffer));
    bytes += x.byteLength + y.byteLength;
  };
  write('train', split.train);
  write('validation', split.validation);
  write('test', split.test);
  const rows = { train: split.train.length, validation: split.validation.length, test: split.test.length };
  fs.writeFileSync(
    path.join(dir, 'meta.json'),
    JSON.stringify({ features: F, featureNames: examples.featureNames, rows, dtype: '<f4' }),
  );
  return { dir, bytes, rows };
}
