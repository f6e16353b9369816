/**
 * Predictions -> CSV: a header row then one row per input row, in order. `values` is row-major with
 * `header.length` values per row. Numbers are written with JavaScript's shortest round-trip form, so
 * reading the file back gives the same doubles.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export function predictionsToCsv(header: string[], values: ArrayLike<number>): string {
  return [...chunks(header, values)].join('');
}

/** Streams the CSV to `path` (Node's pipeline: backpressure, and the file closed on error). */
export async function writePredictionsCsv(path: string, header: string[], values: ArrayLike<number>): Promise<void> {
  await pipeline(Readable.from(chunks(header, values)), fs.createWriteStream(path));
}

/** The column names of the predictions CSV for a model's task (see `gbdt predict`). */
export function predictionHeader(objective: string, numClass: number): string[] {
  if (objective === 'multi:softprob') return Array.from({ length: numClass }, (_, k) => `p${k}`);
  if (objective === 'reg:squarederror') return ['prediction'];
  return ['score'];
}

function* chunks(header: string[], values: ArrayLike<number>): Generator<string> {
  const k = header.length;
  if (k === 0) throw new RangeError('header must name at least one column');
  if (values.length % k !== 0)
    throw new RangeError(`values has ${values.length} numbers, not a multiple of the ${k} columns`);
  yield `${header.join(',')}\n`;
  const rows = values.length / k;
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    let line = String(values[r * k]);
    for (let c = 1; c < k; c++) line += `,${values[r * k + c]}`;
    lines.push(line);
    if (lines.length === 4096) {
      yield `${lines.join('\n')}\n`;
      lines.length = 0;
    }
  }
  if (lines.length > 0) yield `${lines.join('\n')}\n`;
}
