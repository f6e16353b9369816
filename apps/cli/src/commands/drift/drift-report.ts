// The drift of every selected column, as the command prints it: {"columns": {name: result}} with
// each column's result as @pulse/drift gives it, a summary, and per column how it was read and which
// test decided `drifted`.
import {
  categoricalColumnDriftDetails,
  numericColumnDriftDetails,
  type ColumnDrift,
  type ColumnDriftDetails,
  type DecidingTest,
} from '@pulse/drift';
import type { ColumnData } from './drift-columns';
import { DriftInputError } from './drift-input.error';

export interface ColumnInfo {
  type: 'numeric' | 'categorical';
  /** Why a column not named by --categorical was read as categorical. */
  categorical_because?: string;
  rows: { reference: number; current: number };
  missing: { reference: number; current: number };
  test: DecidingTest;
  score: number;
  threshold: number;
}

export interface DriftReport {
  columns: Record<string, ColumnDrift>;
  summary: { columns: number; drifted: number; share: number };
  details: Record<string, ColumnInfo>;
}

export function driftReport(data: ColumnData[], files: { reference: string; current: string }): DriftReport {
  const columns: Record<string, ColumnDrift> = {};
  const details: Record<string, ColumnInfo> = {};
  for (const c of data) {
    let d: ColumnDriftDetails;
    try {
      d =
        c.kind === 'numeric'
          ? numericColumnDriftDetails(c.reference, c.current, { integral: c.integral })
          : categoricalColumnDriftDetails(c.reference, c.current);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      const message = err.message.replace(/^(reference|current)\b/, (w) =>
        w === 'reference' ? files.reference : files.current,
      );
      throw new DriftInputError(`column "${c.name}": ${message}`);
    }
    columns[c.name] = d.result;
    details[c.name] = {
      type: c.kind,
      ...(c.kind === 'categorical' && c.because ? { categorical_because: c.because } : {}),
      rows: d.rows,
      missing: d.missing,
      test: d.decision.test,
      score: d.decision.score,
      threshold: d.decision.threshold,
    };
  }
  const n = data.length;
  const drifted = Object.values(columns).filter((r) => r.drifted).length;
  return { columns, summary: { columns: n, drifted, share: drifted / n }, details };
}
