/**
 * LibSVM / SVMlight -> Dataset: one row per line, `label [qid:n] index:value ...` with an optional
 * `# comment`. As in XGBoost, a feature absent from a line is MISSING (NaN), not 0 — the format is
 * sparse and XGBoost reads it into a sparse DMatrix whose absent entries are missing.
 *
 * Indexing follows XGBoost 1.7 (dmlc-core's `indexing_mode`): by default indices are taken as
 * 0-based, literally (index i is feature f{i}; a 1-based file then has an all-missing feature f0,
 * which never splits and costs nothing). `indexing: 'one'` shifts indices down by one, and 'auto'
 * is dmlc's heuristic (1-based when no index 0 appears anywhere in the file).
 */
import fs from 'node:fs';
import { createDataset, type Dataset } from '../data/dataset';
import { DataFileError } from './data-file.error';

export interface LibsvmReadOptions {
  /** 'zero' (default, XGBoost's indexing_mode 0), 'one', or 'auto' (dmlc's heuristic). */
  indexing?: 'zero' | 'one' | 'auto';
  /** Number of features; default max index + 1. Set it to read a test file with a model's width. */
  numFeatures?: number;
  /** Checks each label as it is read; a returned message becomes an error naming the line. */
  checkLabel?: (value: number) => string | null | undefined;
  /** Name used in error messages; default the path, or 'libsvm' for in-memory input. */
  source?: string;
}

export async function readLibsvm(path: string, options: LibsvmReadOptions = {}): Promise<Dataset> {
  return parseLibsvm(await fs.promises.readFile(path, 'utf8'), { source: path, ...options });
}

export function parseLibsvm(text: string, options: LibsvmReadOptions = {}): Dataset {
  const source = options.source ?? 'libsvm';
  const indexing = options.indexing ?? 'zero';
  if (indexing !== 'zero' && indexing !== 'one' && indexing !== 'auto') {
    throw new RangeError(`indexing must be 'zero', 'one' or 'auto', got ${JSON.stringify(indexing)}`);
  }
  const labels: number[] = [];
  const qids: number[] = [];
  const entryRow: number[] = [];
  const entryIndex: number[] = [];
  const entryValue: number[] = [];
  const qidLine = new Map<number, number>();
  let minIndex = Infinity;
  let maxIndex = -1;
  let hasQid: boolean | undefined;
  const lines = text.split('\n');
  for (let l = 0; l < lines.length; l++) {
    const lineNo = l + 1;
    const hash = lines[l].indexOf('#');
    const body = (hash >= 0 ? lines[l].slice(0, hash) : lines[l]).trim();
    if (body === '') continue;
    const tokens = body.split(/[ \t]+/);
    const row = labels.length;
    const label = Number(tokens[0]);
    if (tokens[0] === '' || !Number.isFinite(label)) {
      throw new DataFileError(source, `label "${tokens[0]}" is not a number`, { line: lineNo, column: '1 (label)' });
    }
    const problem = options.checkLabel?.(label);
    if (problem) throw new DataFileError(source, problem, { line: lineNo, column: '1 (label)' });
    labels.push(label);
    let t = 1;
    const lineHasQid = tokens.length > 1 && tokens[1].startsWith('qid:');
    if (hasQid === undefined) hasQid = lineHasQid;
    if (lineHasQid !== hasQid) {
      throw new DataFileError(
        source,
        hasQid ? 'qid is missing (earlier rows have one)' : 'qid appears but earlier rows have none',
        { line: lineNo },
      );
    }
    if (lineHasQid) {
      const q = Number(tokens[1].slice(4));
      if (tokens[1].length === 4 || !Number.isFinite(q))
        throw new DataFileError(source, `"${tokens[1]}" is not a valid qid`, { line: lineNo, column: '2 (qid)' });
      if (row === 0 || qids[row - 1] !== q) {
        const before = qidLine.get(q);
        if (before !== undefined) {
          throw new DataFileError(
            source,
            `qid ${q} already appeared at line ${before}; the rows of a query must be contiguous`,
            { line: lineNo, column: '2 (qid)' },
          );
        }
        qidLine.set(q, lineNo);
      }
      qids.push(q);
      t = 2;
    }
    for (; t < tokens.length; t++) {
      const tok = tokens[t];
      const colon = tok.indexOf(':');
      const idx = colon > 0 ? Number(tok.slice(0, colon)) : NaN;
      const value = colon > 0 ? Number(tok.slice(colon + 1)) : NaN;
      if (!Number.isInteger(idx) || idx < 0 || colon === tok.length - 1 || !Number.isFinite(value)) {
        throw new DataFileError(
          source,
          `"${tok}" is not an index:value pair (non-negative integer index, finite number)`,
          {
            line: lineNo,
            column: `${t + 1}`,
          },
        );
      }
      entryRow.push(row);
      entryIndex.push(idx);
      entryValue.push(value);
      if (idx < minIndex) minIndex = idx;
      if (idx > maxIndex) maxIndex = idx;
    }
  }
  const shift = indexing === 'one' || (indexing === 'auto' && minIndex > 0 && minIndex !== Infinity) ? 1 : 0;
  if (shift === 1 && minIndex === 0) throw new DataFileError(source, "index 0 appears but indexing is 'one' (1-based)");
  const width = options.numFeatures ?? Math.max(0, maxIndex + 1 - shift);
  if (!Number.isInteger(width) || width < 0)
    throw new RangeError(`numFeatures must be a non-negative integer, got ${width}`);
  if (maxIndex - shift >= width) {
    throw new DataFileError(source, `feature index ${maxIndex} is beyond numFeatures ${width}`);
  }
  const n = labels.length;
  const columns = Array.from({ length: width }, () => new Float32Array(n).fill(NaN));
  for (let e = 0; e < entryRow.length; e++) columns[entryIndex[e] - shift][entryRow[e]] = entryValue[e];
  let group: Int32Array | undefined;
  if (hasQid) {
    const sizes: number[] = [];
    for (let r = 0; r < n; r++) {
      if (r > 0 && qids[r] === qids[r - 1]) sizes[sizes.length - 1]++;
      else sizes.push(1);
    }
    group = Int32Array.from(sizes);
  }
  return createDataset({
    columns,
    label: Float64Array.from(labels),
    group,
    featureNames: columns.map((_, f) => `f${f}`),
    numRows: n,
  });
}
