/**
 * `pulse drift --reference ref.csv --current cur.csv`: data drift per column between two CSV files
 * with Evidently's tests as @pulse/drift computes them (PSI, Jensen-Shannon, Kolmogorov-Smirnov and
 * normed Wasserstein for numeric columns, PSI, Jensen-Shannon and chi-square for categorical ones,
 * and `drifted` by Evidently's default test for the column). Bad input is an error naming the file,
 * line and column (main.ts prints it and exits 1).
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { readCsvTable } from './drift/csv-table.reader';
import { selectColumns } from './drift/drift-columns';
import { driftReport, type DriftReport } from './drift/drift-report';
import { formatDriftTable } from './drift/drift-table';

export interface DriftOptions {
  reference: string;
  current: string;
  columns?: string[];
  categorical?: string[];
  numeric?: string[];
  json: boolean;
}

function columnList(value: string): string[] {
  const names = value.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw new InvalidArgumentError('expected column names separated by commas.');
  return names;
}

export function registerDriftCommand(program: Command): void {
  program
    .command('drift')
    .description('data drift per column between a reference and a current CSV file (Evidently’s tests)')
    .requiredOption('--reference <ref.csv>', 'the reference data: CSV with a header row')
    .requiredOption('--current <cur.csv>', 'the current data: CSV with a header row')
    .option('--columns <a,b,...>', 'compare only these columns (default: every column both files have)', columnList)
    .option('--categorical <a,b,...>', 'columns to compare as categories even if they hold numbers', columnList)
    .option('--numeric <a,b,...>', 'columns that must be numeric: a cell that is not a number is an error', columnList)
    .option('--json', 'print the result as one JSON object', false)
    .addHelpText(
      'after',
      '\nA column is numeric unless --categorical names it or a cell of either file is not a number (then it is\n' +
        'categorical and the output says which cell). Missing cells (empty, NA, NaN, null, None, N/A, … as pandas\n' +
        'reads them) and ±inf are skipped and counted; a column with no values left in a file is an error.\n' +
        '\nNumeric columns: psi and js on numpy’s Sturges bins over both files, ks (scipy ks_2samp, two-sided) and\n' +
        'wasserstein (scipy wasserstein_distance / np.std of the reference). Categorical columns: psi, js and\n' +
        'chi2 (scipy chisquare of the current counts against the reference proportions) over both files’\n' +
        'categories. drifted: Evidently’s default test — up to 1,000 reference rows ks p <= 0.05 (chi-square or\n' +
        'the Z-test for <= 5 distinct values and for categories), above wasserstein >= 0.1 (js >= 0.1).\n' +
        '\n--json prints {"columns": {"<name>": {psi, js, ks: {statistic, p_value}, wasserstein, drifted} or\n' +
        '{psi, js, chi2: {statistic, p_value}, drifted}}, "summary": {...}, "details": {...}}; an infinite or\n' +
        'undefined number (chi2 of a category the reference lacks; one category) is null.\n' +
        '\nExample:\n  pulse drift --reference train.csv --current last-week.csv --categorical channel,region --json\n',
    )
    .action((options: DriftOptions) => {
      const report = runDrift(options);
      console.log(
        options.json
          ? JSON.stringify(report)
          : formatDriftTable(report, { reference: options.reference, current: options.current }),
      );
    });
}

/** The command's work: reads both files and computes every selected column's drift. */
export function runDrift(options: DriftOptions): DriftReport {
  const reference = readCsvTable(options.reference);
  const current = readCsvTable(options.current);
  const data = selectColumns(reference, current, options);
  return driftReport(data, { reference: reference.file, current: current.file });
}
