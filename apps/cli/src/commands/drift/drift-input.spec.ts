import { parseCsvTable } from './csv-table.reader';
import { cellNumber, selectColumns } from './drift-columns';
import { formatNumber } from './drift-table';

describe('CSV table', () => {
  it('quoted cells with commas, doubled quotes and line breaks; CRLF; blank lines skipped', () => {
    const t = parseCsvTable('a,b\r\n"x, y","say ""hi"""\r\n\r\n"two\nlines",3\r\n', 'f.csv');
    expect(t).toEqual({
      file: 'f.csv',
      header: ['a', 'b'],
      rows: [
        ['x, y', 'say "hi"'],
        ['two\nlines', '3'],
      ],
      lines: [2, 4],
    });
  });
  it('a quote inside an unquoted cell is an error naming line and column', () =>
    expect(() => parseCsvTable('a,b\n1,x"y\n', 'f.csv')).toThrow(
      'f.csv line 2, column "b": a quote inside an unquoted cell',
    ));
});

describe('cells', () => {
  it.each([
    ['1.5', 1.5],
    [' 3 ', 3],
    ['-2e3', -2000],
    ['.5', 0.5],
    ['5.', 5],
    ['inf', Infinity],
    ['-Infinity', -Infinity],
  ])('%j is the number %d', (cell, n) => expect(cellNumber(cell)).toBe(n));
  it.each(['', 'NA', 'NaN', 'nan', 'null', 'None', 'N/A', '#N/A', '<NA>', ' NA '])(
    "%j is missing (pandas' markers)",
    (cell) => expect(cellNumber(cell)).toBeNaN(),
  );
  it.each(['abc', '0x10', '1,5', '1e', '--1', 'true'])('%j is not a number', (cell) =>
    expect(cellNumber(cell)).toBeUndefined(),
  );
});

describe('columns', () => {
  const ref = parseCsvTable('id,n,k,c\n1,1,1,a\n2,2,2.0,b\n3,NA,3,a\n', 'ref.csv');
  const cur = parseCsvTable('c,k,n,id\nb,1,4,1\nc,2,5,2\n', 'cur.csv');
  it('the shared columns in the reference’s order, typed as pandas reads them', () => {
    const columns = selectColumns(ref, cur, { categorical: ['k'] });
    expect(columns.map((c) => [c.name, c.kind])).toEqual([
      ['id', 'numeric'],
      ['n', 'numeric'],
      ['k', 'categorical'],
      ['c', 'categorical'],
    ]);
    // integers without missing cells are int64; a column with a missing cell is float
    expect(columns.slice(0, 2).map((c) => c.kind === 'numeric' && c.integral)).toEqual([true, false]);
    // numbers named categorical are categories by value: 2 and 2.0 are one
    expect(columns[2]).toMatchObject({ reference: [1, 2, 3], current: [1, 2] });
    expect(columns[3]).toMatchObject({ because: 'ref.csv line 2 holds "a"' });
  });
});

describe('table numbers', () => {
  it.each([
    [undefined, '-'],
    [Infinity, 'inf'],
    [NaN, 'nan'],
    [0, '0'],
    [0.123456, '0.1235'],
    [1.2e-7, '1.20e-7'],
    [12345678, '1.23e+7'],
  ])('%d as %j', (x, s) => expect(formatNumber(x)).toBe(s));
});
