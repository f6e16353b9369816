// Runs drift_reference.py (numpy / scipy, see its docstring) on cases and parses its answer; the
// specs' source of reference values. Needs python3 with numpy and scipy.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export interface ReferenceCase {
  kind: 'numeric' | 'categorical';
  reference: Array<number | string | null>;
  current: Array<number | string | null>;
  integral?: boolean;
}

export interface ReferenceResult {
  result: {
    psi: number;
    js: number;
    ks?: { statistic: number; p_value: number };
    wasserstein?: number;
    chi2?: { statistic: number; p_value: number };
    drifted: boolean;
  };
  edges?: number[];
  reference_counts?: number[];
  current_counts?: number[];
  decision: { test: string; score: number };
}

const NON_FINITE: Record<string, number> = { inf: Infinity, '-inf': -Infinity, nan: NaN };

function revive(_key: string, value: unknown): unknown {
  return typeof value === 'string' && value in NON_FINITE ? NON_FINITE[value] : value;
}

/** Runs any python script reading JSON on stdin and writing JSON on stdout. */
export function runPython<T>(script: string, input: unknown, python = process.env.PULSE_PYTHON ?? 'python3'): T {
  const r = spawnSync(python, [script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    timeout: 600_000,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${path.basename(script)} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout, revive) as T;
}

export interface ReferenceAnswer {
  numpy: string;
  scipy: string;
  /** numpy 2 floors the Sturges bin width of an integer array at 1, numpy 1.x does not. */
  integer_width_floor: boolean;
  results: ReferenceResult[];
}

export function pythonReference(cases: ReferenceCase[]): ReferenceAnswer {
  return runPython<ReferenceAnswer>(path.join(__dirname, 'drift_reference.py'), cases);
}
