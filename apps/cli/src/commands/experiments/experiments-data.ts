// Reading `experiments analyze`'s data file: one row per unit (unit, variant, value and the covariate
// when asked), each cell checked, into per-variant sufficient statistics.
import path from 'node:path';
import { covariateStats, metricStats, type MetricType, type VariantStats } from '@pulse/experiment-stats';
import { parseCsv, readText } from './experiments-csv';
import { parseDecimal } from './experiments-options';

export interface ExperimentData {
  /** In the order each variant first appears in the file. */
  readonly variants: VariantStats[];
  /** Whether every value is 0 or 1. */
  readonly binary: boolean;
  readonly rows: number;
}

interface Column {
  readonly name: string;
  readonly index: number;
}

/**
 * The file's units by variant. Every row needs a unit (each unit once), a variant and a number in
 * `value` (and in the covariate column when given); a variant needs at least two units.
 */
export function readExperimentData(
  file: string,
  options: { covariate?: string; metricType?: MetricType },
): ExperimentData {
  const name = path.basename(file);
  const records = parseCsv(readText(file, 'data file'), name);
  if (records.length === 0) throw new Error(`${name} is empty: expected a header unit,variant,value`);
  const header = records[0].fields.map((h) => h.trim());
  const column = (wanted: string, why = ''): Column => {
    const index = header.indexOf(wanted);
    if (index < 0) throw new Error(`${name} has no column "${wanted}"${why} (its header: ${header.join(', ')})`);
    return { name: wanted, index };
  };
  const unitCol = column('unit');
  const variantCol = column('variant');
  const valueCol = column('value');
  const preCol = options.covariate === undefined ? undefined : column(options.covariate, ' named by --covariate');

  const firstRow = new Map<string, number>();
  const groups = new Map<string, { values: number[]; pre: number[] }>();
  let binary = true;
  for (const { row, fields } of records.slice(1)) {
    if (fields.length !== header.length)
      throw new Error(`${name} row ${row}: ${fields.length} fields, the header has ${header.length}`);
    const cell = (c: Column): string => {
      const text = fields[c.index].trim();
      if (text === '') throw new Error(`${name} row ${row}, column ${c.name}: empty`);
      return text;
    };
    const number = (c: Column): number => {
      const text = cell(c);
      const x = parseDecimal(text);
      if (x === undefined || !Number.isFinite(x))
        throw new Error(`${name} row ${row}, column ${c.name}: "${text}" is not a number`);
      return x;
    };
    const unit = cell(unitCol);
    const seen = firstRow.get(unit);
    if (seen !== undefined)
      throw new Error(`${name} row ${row}, column unit: unit "${unit}" is already in row ${seen}; one row per unit`);
    firstRow.set(unit, row);
    const variant = cell(variantCol);
    const value = number(valueCol);
    if (value !== 0 && value !== 1) {
      if (options.metricType === 'proportion')
        throw new Error(`${name} row ${row}, column value: ${value} is not 0 or 1 (--metric-type proportion)`);
      binary = false;
    }
    let group = groups.get(variant);
    if (!group) groups.set(variant, (group = { values: [], pre: [] }));
    group.values.push(value);
    if (preCol) group.pre.push(number(preCol));
  }
  if (groups.size === 0) throw new Error(`${name} has a header but no rows`);
  const variants = [...groups].map(([variant, g]) => {
    if (g.values.length < 2)
      throw new Error(`variant "${variant}" has ${g.values.length} unit in ${name}; a comparison needs at least 2`);
    return { name: variant, stats: preCol ? covariateStats(g.values, g.pre) : metricStats(g.values) };
  });
  return { variants, binary, rows: records.length - 1 };
}
