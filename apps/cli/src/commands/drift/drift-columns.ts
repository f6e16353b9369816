// The columns `pulse drift` compares and their values: the columns both files share (reference
// order), or those of --columns; each numeric unless --categorical names it or a cell of either file
// holds something that is not a number (then categorical, and the report says which cell). Cells are
// read as pandas reads a CSV by default: pandas' missing-value markers (empty, NA, NaN, null, None,
// N/A, …) are missing; "inf" / "-inf" are numbers that Evidently then drops as missing.
import type { CsvTable } from './csv-table.reader';
import { DriftInputError } from './drift-input.error';

/** pandas.read_csv's default na_values, compared after trimming spaces. */
const MISSING = new Set([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
]);
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
const INFINITY = /^([+-]?)(inf|infinity)$/i;

export interface ColumnSelection {
  columns?: string[];
  categorical?: string[];
  numeric?: string[];
}

export type ColumnData =
  | { name: string; kind: 'numeric'; reference: number[]; current: number[]; integral: boolean }
  | {
      name: string;
      kind: 'categorical';
      reference: Array<string | number | null>;
      current: Array<string | number | null>;
      /** Why a column not named by --categorical is categorical: its first non-number cell. */
      because?: string;
    };

/** A cell as a number: NaN when missing, undefined when it is not a number. */
export function cellNumber(cell: string): number | undefined {
  const t = cell.trim();
  if (MISSING.has(t)) return NaN;
  if (DECIMAL.test(t)) return Number(t);
  const inf = INFINITY.exec(t);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  return undefined;
}

export function isMissing(cell: string): boolean {
  return MISSING.has(cell.trim());
}

export function selectColumns(reference: CsvTable, current: CsvTable, selection: ColumnSelection): ColumnData[] {
  const shared = reference.header.filter((h) => current.header.includes(h));
  const check = (option: string, names: string[] | undefined) => {
    for (const name of names ?? []) {
      for (const t of [reference, current])
        if (!t.header.includes(name))
          throw new DriftInputError(
            `${option}: "${name}" is not a column of ${t.file} (its columns: ${t.header.join(', ')})`,
          );
    }
  };
  check('--columns', selection.columns);
  check('--categorical', selection.categorical);
  check('--numeric', selection.numeric);
  const both = (selection.categorical ?? []).filter((c) => (selection.numeric ?? []).includes(c));
  if (both.length > 0) throw new DriftInputError(`--categorical and --numeric both name "${both[0]}"`);
  const names = selection.columns ?? shared;
  if (names.length === 0)
    throw new DriftInputError(
      `${reference.file} and ${current.file} share no column (${reference.file}: ${reference.header.join(', ')}; ${current.file}: ${current.header.join(', ')})`,
    );
  for (const t of [reference, current])
    if (t.rows.length === 0) throw new DriftInputError(`${t.file} has no data rows`);
  return names.map((name) => columnData(name, reference, current, selection));
}

function cells(table: CsvTable, name: string): string[] {
  const i = table.header.indexOf(name);
  return table.rows.map((r) => r[i]);
}

function columnData(name: string, reference: CsvTable, current: CsvTable, selection: ColumnSelection): ColumnData {
  const ref = cells(reference, name);
  const cur = cells(current, name);
  for (const [t, values] of [
    [reference, ref],
    [current, cur],
  ] as const) {
    const present = values.filter((c) => !isMissing(c)).length;
    if (present === 0)
      throw new DriftInputError(`${t.file}, column "${name}": no values (all ${values.length} rows are missing)`);
  }
  const firstNonNumber = (() => {
    for (const [t, values] of [
      [reference, ref],
      [current, cur],
    ] as const) {
      const row = values.findIndex((c) => cellNumber(c) === undefined);
      if (row >= 0) return { file: t.file, line: t.lines[row], cell: values[row] };
    }
    return undefined;
  })();
  if (selection.numeric?.includes(name) && firstNonNumber)
    throw new DriftInputError(
      `${firstNonNumber.file} line ${firstNonNumber.line}, column "${name}": ${JSON.stringify(firstNonNumber.cell)} is not a number (--numeric names this column)`,
    );
  if (selection.categorical?.includes(name) || firstNonNumber) {
    // all cells numbers: categories by value, so "1" and "1.0" are one category (as pandas reads them)
    const byValue = !firstNonNumber;
    const value = (c: string) => (isMissing(c) ? null : byValue ? cellNumber(c)! : c);
    return {
      name,
      kind: 'categorical',
      reference: ref.map(value),
      current: cur.map(value),
      because:
        firstNonNumber && !selection.categorical?.includes(name)
          ? `${firstNonNumber.file} line ${firstNonNumber.line} holds ${JSON.stringify(firstNonNumber.cell)}`
          : undefined,
    };
  }
  const integral = [...ref, ...cur].every((c) => INTEGER.test(c.trim()) && Number.isSafeInteger(Number(c)));
  return {
    name,
    kind: 'numeric',
    reference: ref.map((c) => cellNumber(c)!),
    current: cur.map((c) => cellNumber(c)!),
    integral,
  };
}
