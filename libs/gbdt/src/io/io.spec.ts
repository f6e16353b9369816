import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCsv, readCsv } from './csv-reader';
import { parseLibsvm, readLibsvm } from './libsvm-reader';
import { parseNumberBytes, parseState, scanCell } from './number-parse';
import { predictionHeader, predictionsToCsv, writePredictionsCsv } from './predictions-writer';
import { sharedDatasetsDir } from '@pulse/testing';

// The shared datasets (../shared/datasets next to the workspace; see @pulse/testing's sharedDir).
const datasetsDir = sharedDatasetsDir(path.resolve(__dirname, '../../../..'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gbdt-io-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
}
const num = (s: string): number => {
  const b = Buffer.from(s);
  const v = parseNumberBytes(b, 0, b.length);
  return parseState.failed ? (Symbol.for('fail') as unknown as number) : v;
};
const col = (a: Float32Array | Float64Array | undefined): number[] => Array.from(a ?? []);

describe('parseNumberBytes', () => {
  it('integer', () => expect(num('42')).toBe(42));
  it('negative decimal', () => expect(num('-0.635')).toBe(-0.635));
  it('exponent', () => expect(num('1.5e-7')).toBe(1.5e-7));
  it('leading dot', () => expect(num('.5')).toBe(0.5));
  it('plus sign, upper-case exponent', () => expect(num('+2E3')).toBe(2000));
  it('many digits (slow path)', () => expect(num('0.12345678901234567890')).toBe(0.1234567890123456789));
  it('huge exponent (slow path)', () => expect(num('1e300')).toBe(1e300));
  it('empty is missing', () => expect(num('')).toBeNaN());
  it('NaN is missing', () => expect(num('NaN')).toBeNaN());
  it('quoted number', () => expect(num('"3.5"')).toBe(3.5));
  it('text fails', () => expect(num('abc')).toBe(Symbol.for('fail')));
  it('scanCell stops at the delimiter', () =>
    expect([scanCell(Buffer.from('12.5,3'), 0, 6, 44), parseState.end]).toEqual([12.5, 4]));
  it('scanCell on an empty cell', () =>
    expect([scanCell(Buffer.from(',3'), 0, 2, 44), parseState.end]).toEqual([NaN, 0]));
  it('scanCell on text', () =>
    expect([scanCell(Buffer.from('1x,3'), 0, 4, 44), parseState.failed, parseState.end]).toEqual([NaN, true, 2]));
  it('infinity fails', () => expect(num('inf')).toBe(Symbol.for('fail')));
  it('lone minus fails', () => expect(num('-')).toBe(Symbol.for('fail')));
  it('agrees with Number() on 20k random decimals', () => {
    let mismatches = 0;
    for (let i = 0; i < 20000; i++) {
      const x = (Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 12 - 6);
      for (const s of [x.toPrecision(6), x.toPrecision(15), x.toExponential(5), String(x), x.toFixed(20)]) {
        const b = Buffer.from(`${s},7`);
        const scanned = scanCell(b, 0, b.length, 44);
        if (num(s) !== Number(s) || scanned !== Number(s) || parseState.end !== s.length) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });
});

describe('parseCsv', () => {
  const ds = parseCsv('label,a,b\n1,0.5,\n0,NaN,2\r\n1,3,4\n', { label: 'label' });
  it('rows', () => expect(ds.numRows).toBe(3));
  it('features in header order', () => expect(ds.featureNames).toEqual(['a', 'b']));
  it('label', () => expect(col(ds.label)).toEqual([1, 0, 1]));
  it('column a, NaN missing', () => expect(col(ds.columns[0])).toEqual([0.5, NaN, 3]));
  it('column b, empty missing, CRLF', () => expect(col(ds.columns[1])).toEqual([NaN, 2, 4]));
  it('no trailing newline, blank lines skipped', () => expect(parseCsv('a,b\n1,2\n\n3,4').numRows).toBe(2));
  it('label optional when absent', () =>
    expect(parseCsv('a\n1\n', { label: 'y', labelOptional: true }).label).toBeUndefined());
  it('selected features, in the order given', () =>
    expect(parseCsv('y,a,b,c\n1,2,3,4\n', { features: ['c', 'a'] }).columns.map((c) => c[0])).toEqual([4, 2]));
  it('query groups from contiguous qids', () =>
    expect(
      col(parseCsv('y,qid,x\n1,7,0\n0,7,1\n2,3,1\n', { label: 'y', group: 'qid' }).group as unknown as Float64Array),
    ).toEqual([2, 1]));
  it('weight column', () =>
    expect(col(parseCsv('y,w,x\n1,2.5,0\n', { label: 'y', weight: 'w' }).weight)).toEqual([2.5]));
  it('float32 storage', () => expect(parseCsv('x\n0.1\n').columns[0][0]).toBe(Math.fround(0.1)));
  it('rows beyond the first allocation', () => {
    const text = 'y,x\n' + Array.from({ length: 5000 }, (_, i) => `${i % 2},${i}`).join('\n');
    const d = parseCsv(text, { label: 'y' });
    expect([d.numRows, d.columns[0][4999], d.label![4999]]).toEqual([5000, 4999, 1]);
  });
});

describe('CSV errors name the line and column', () => {
  it('ragged row (short)', () =>
    expect(() => parseCsv('y,a,b\n1,2,3\n1,2\n', { label: 'y' })).toThrow(
      'csv line 3: the row has 2 cells, expected 3 (as the header)',
    ));
  it('ragged row (long)', () =>
    expect(() => parseCsv('y,a\n1,2,3\n', { label: 'y' })).toThrow(
      'csv line 2: the row has more than 2 cells (the header has 2 columns)',
    ));
  it('non-numeric cell', () =>
    expect(() => parseCsv('y,a,b\n1,2,3\n0,x1,3\n', { label: 'y' })).toThrow(
      'csv line 3, column 2 "a": "x1" is not a number',
    ));
  it('label not found', () =>
    expect(() => parseCsv('a,b\n1,2\n', { label: 'target' })).toThrow(
      'csv line 1: label column "target" not found in the header (a, b)',
    ));
  it('group not found', () =>
    expect(() => parseCsv('y,a\n1,2\n', { label: 'y', group: 'qid' })).toThrow(
      /group \(query id\) column "qid" not found/,
    ));
  it('missing label', () =>
    expect(() => parseCsv('y,a\n1,2\n,3\n', { label: 'y' })).toThrow('csv line 3, column 1 "y": the label is missing'));
  it('qid not contiguous', () =>
    expect(() => parseCsv('y,qid,a\n1,1,0\n1,2,0\n1,1,0\n', { label: 'y', group: 'qid' })).toThrow(
      'csv line 4, column 2 "qid": query id 1 already appeared at line 2; the rows of a query must be contiguous',
    ));
  it('label rejected by checkLabel', () =>
    expect(() =>
      parseCsv('y,a\n1,2\n7,3\n', { label: 'y', checkLabel: (v) => (v > 1 ? `label ${v} is out of range` : null) }),
    ).toThrow('csv line 3, column 1 "y": label 7 is out of range'));
  it('duplicate header name', () => expect(() => parseCsv('a,a\n1,2\n')).toThrow(/header column "a" appears twice/));
  it('empty file', () => expect(() => parseCsv('')).toThrow(/the file is empty/));
  it('error names the file', async () => {
    const p = file('bad.csv', 'y,a\n1,2\n0,oops\n');
    await expect(readCsv(p, { label: 'y' })).rejects.toThrow(`${p} line 3, column 2 "a": "oops" is not a number`);
  });
});

describe('readCsv on the shared datasets', () => {
  const shape = async (name: string, split: string, group?: string) => {
    const d = await readCsv(path.join(datasetsDir, name, `${split}.csv`), { label: 'label', group });
    return [d.numRows, d.numFeatures, d.group?.length];
  };
  it('binary train', async () =>
    expect(await shape('lgb_binary_classification', 'train')).toEqual([7000, 28, undefined]));
  it('binary test', async () => expect(await shape('lgb_binary_classification', 'test')).toEqual([500, 28, undefined]));
  it('multiclass train', async () =>
    expect(await shape('lgb_multiclass_classification', 'train')).toEqual([7000, 28, undefined]));
  it('lambdarank train', async () => expect(await shape('lgb_lambdarank', 'train', 'qid')).toEqual([3005, 300, 201]));
  it('lambdarank test', async () => expect(await shape('lgb_lambdarank', 'test', 'qid')).toEqual([768, 300, 50]));
  it('streams a file larger than one chunk identically to in-memory parsing', async () => {
    const text =
      'label,x,z\n' +
      Array.from({ length: 120000 }, (_, i) => `${i % 2},${(i * 0.37).toFixed(3)},${i % 7 === 0 ? '' : i}`).join('\n') +
      '\n';
    const p = file('big.csv', text);
    const a = await readCsv(p, { label: 'label' });
    const b = parseCsv(text, { label: 'label' });
    expect(a.numRows).toBe(120000);
    expect(Buffer.compare(Buffer.from(a.columns[0].buffer), Buffer.from(b.columns[0].buffer))).toBe(0);
    expect(Buffer.compare(Buffer.from(a.columns[1].buffer), Buffer.from(b.columns[1].buffer))).toBe(0);
  });
});

describe('parseLibsvm', () => {
  const text = '1 qid:1 0:0.5 2:3 # comment\n0 qid:1 1:-1\n\n2 qid:4 2:7\n';
  const d = parseLibsvm(text);
  it('rows and 0-based width', () => expect([d.numRows, d.numFeatures]).toEqual([3, 3]));
  it('labels', () => expect(col(d.label)).toEqual([1, 0, 2]));
  it('absent entries are missing', () => expect(col(d.columns[1])).toEqual([NaN, -1, NaN]));
  it('groups', () => expect(Array.from(d.group!)).toEqual([2, 1]));
  it("'one' indexing shifts down", () =>
    expect(col(parseLibsvm('1 1:5 3:6\n', { indexing: 'one' }).columns[2])).toEqual([6]));
  it("'auto' detects 1-based", () => expect(parseLibsvm('1 1:5 3:6\n', { indexing: 'auto' }).numFeatures).toBe(3));
  it('default keeps indices literally (XGBoost)', () => expect(parseLibsvm('1 1:5 3:6\n').numFeatures).toBe(4));
  it('numFeatures pads', () => expect(parseLibsvm('1 0:5\n', { numFeatures: 4 }).numFeatures).toBe(4));
  it('bad pair', () =>
    expect(() => parseLibsvm('1 0:5\n0 1:x\n')).toThrow('libsvm line 2, column 2: "1:x" is not an index:value pair'));
  it('bad label', () =>
    expect(() => parseLibsvm('one 0:5\n')).toThrow('libsvm line 1, column 1 (label): label "one" is not a number'));
  it('qid not contiguous', () =>
    expect(() => parseLibsvm('1 qid:1 0:1\n1 qid:2 0:1\n1 qid:1 0:1\n')).toThrow(
      /line 3, column 2 \(qid\): qid 1 already appeared at line 1/,
    ));
  it('label rejected by checkLabel', () =>
    expect(() => parseLibsvm('1 0:1\n3 0:1\n', { checkLabel: (v) => (v > 1 ? 'bad' : null) })).toThrow(
      'libsvm line 2, column 1 (label): bad',
    ));
  it('index beyond numFeatures', () =>
    expect(() => parseLibsvm('1 5:1\n', { numFeatures: 2 })).toThrow(/feature index 5 is beyond numFeatures 2/));
  it('reads a file', async () => expect((await readLibsvm(file('a.svm', '1 0:1\n0 0:2\n'))).numRows).toBe(2));
});

describe('predictions CSV', () => {
  it('multiclass header', () => expect(predictionHeader('multi:softprob', 3)).toEqual(['p0', 'p1', 'p2']));
  it('binary header', () => expect(predictionHeader('binary:logistic', 1)).toEqual(['score']));
  it('ranking header', () => expect(predictionHeader('rank:ndcg', 1)).toEqual(['score']));
  it('regression header', () => expect(predictionHeader('reg:squarederror', 1)).toEqual(['prediction']));
  it('rows in order', () =>
    expect(predictionsToCsv(['p0', 'p1'], [0.25, 0.75, 0.5, 0.5])).toBe('p0,p1\n0.25,0.75\n0.5,0.5\n'));
  it('wrong width', () =>
    expect(() => predictionsToCsv(['a', 'b'], [1, 2, 3])).toThrow(/not a multiple of the 2 columns/));
  it('writes and reads back exactly', async () => {
    const values = Float64Array.from({ length: 10000 }, (_, i) => Math.sin(i) / 3);
    const p = path.join(tmp, 'preds.csv');
    await writePredictionsCsv(p, ['score'], values);
    const lines = fs.readFileSync(p, 'utf8').trimEnd().split('\n');
    expect([lines.length, lines[0], Number(lines[1234 + 1]) === values[1234]]).toEqual([10001, 'score', true]);
  });
  it('rejects when the file cannot be written', async () => {
    await expect(writePredictionsCsv(path.join(tmp, 'no-such-dir', 'preds.csv'), ['score'], [1])).rejects.toThrow(
      /ENOENT/,
    );
  });
});
