/**
 * A fast loader for the benchmark CSVs (header row; numeric cells; empty or NaN = missing) into a
 * Dataset: one pass over the bytes with a hand-rolled number parser (exact for up to 15 significant
 * digits, parseFloat beyond), no per-cell strings. The product's CSV reader lives in src/io; this one
 * only serves benchmarks and tests.
 */
import fs from 'node:fs';
// eslint-disable-next-line @nx/enforce-module-boundaries -- bench/ and src/ compile to sibling dist folders; only the alias resolves in both
import { createDataset, groupSizesFromQueryIds, type Dataset } from '@pulse/gbdt';

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

export interface LoadCsvOptions {
  labelColumn?: string;
  /** Query id column for ranking (rows of a query contiguous). */
  groupColumn?: string;
}

export function loadCsvDataset(file: string, options: LoadCsvOptions = {}): Dataset {
  const buf = fs.readFileSync(file);
  const n = buf.length;
  let p = buf.indexOf(10);
  if (p < 0) throw new RangeError(`${file}: no header line`);
  const header = buf.toString('utf8', 0, p).replace(/\r$/, '').split(',');
  p++;
  const C = header.length;
  // count lines to size the columns
  let lines = 0;
  for (let i = p; i < n; i++) if (buf[i] === 10) lines++;
  if (n > p && buf[n - 1] !== 10) lines++;
  const cols = Array.from({ length: C }, () => new Float64Array(lines));
  let row = 0;
  while (p < n && row < lines) {
    for (let c = 0; c < C; c++) {
      const start = p;
      let neg = false;
      let ch = buf[p];
      if (ch === 45) {
        neg = true;
        ch = buf[++p];
      } else if (ch === 43) ch = buf[++p];
      let mant = 0;
      let digits = 0;
      let exp = 0;
      let ok = true;
      while (ch >= 48 && ch <= 57) {
        mant = mant * 10 + (ch - 48);
        digits++;
        ch = buf[++p];
      }
      if (ch === 46) {
        ch = buf[++p];
        while (ch >= 48 && ch <= 57) {
          mant = mant * 10 + (ch - 48);
          digits++;
          exp--;
          ch = buf[++p];
        }
      }
      if (ch === 101 || ch === 69) {
        ch = buf[++p];
        let eneg = false;
        if (ch === 45) {
          eneg = true;
          ch = buf[++p];
        } else if (ch === 43) ch = buf[++p];
        let e = 0;
        while (ch >= 48 && ch <= 57) {
          e = e * 10 + (ch - 48);
          ch = buf[++p];
        }
        exp += eneg ? -e : e;
      }
      let v: number;
      if (ch !== 44 && ch !== 10 && ch !== 13 && p < n) ok = false;
      if (!ok || digits > 15 || exp > 22 || exp < -22) {
        while (p < n && buf[p] !== 44 && buf[p] !== 10 && buf[p] !== 13) p++;
        const text = buf.toString('latin1', start, p).trim();
        v = text === '' || text === 'NaN' ? Number.NaN : Number(text);
        if (Number.isNaN(v) && text !== '' && text !== 'NaN')
          throw new RangeError(`${file}: row ${row + 1}, column ${header[c]}: not a number: ${JSON.stringify(text)}`);
      } else if (digits === 0) {
        v = Number.NaN;
      } else {
        v = exp >= 0 ? mant * POW10[exp] : mant / POW10[-exp];
        if (neg) v = -v;
      }
      cols[c][row] = v;
      if (buf[p] === 13) p++;
      if (c < C - 1) {
        if (buf[p] !== 44) throw new RangeError(`${file}: row ${row + 1} has ${c + 1} cells, expected ${C}`);
        p++;
      }
    }
    if (p < n && buf[p] !== 10) throw new RangeError(`${file}: row ${row + 1} has more than ${C} cells`);
    p++;
    row++;
  }
  const labelName = options.labelColumn ?? 'label';
  const li = header.indexOf(labelName);
  if (li < 0) throw new RangeError(`${file}: no column ${labelName}`);
  const gi = options.groupColumn ? header.indexOf(options.groupColumn) : -1;
  if (options.groupColumn && gi < 0) throw new RangeError(`${file}: no column ${options.groupColumn}`);
  const featureIdx = header.map((_, i) => i).filter((i) => i !== li && i !== gi);
  return createDataset({
    columns: featureIdx.map((i) => Float32Array.from(cols[i])),
    featureNames: featureIdx.map((i) => header[i]),
    label: cols[li],
    group: gi >= 0 ? groupSizesFromQueryIds(cols[gi]) : undefined,
  });
}
