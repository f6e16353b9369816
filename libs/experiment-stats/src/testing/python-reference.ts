// Runs reference.py (scipy, statsmodels) on generated inputs for the specs; never used by the library.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const SCRIPT = path.join(__dirname, 'reference.py');

/** A python3 that imports scipy and statsmodels: the one on PATH, else Debian's. */
export function referencePython(): string {
  const found = ['python3', '/usr/bin/python3'].find(
    (bin) => spawnSync(bin, ['-c', 'import scipy, statsmodels'], { stdio: 'ignore' }).status === 0,
  );
  if (!found)
    throw new Error(
      'the experiment-stats reference needs python3 with scipy and statsmodels (Debian: apt-get install python3-scipy python3-statsmodels)',
    );
  return found;
}

/** reference.py's answer for `input` (see its docstring for the shape). */
export function pythonReference<T>(input: unknown): T {
  const r = spawnSync(referencePython(), [SCRIPT], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout: 300_000,
  });
  if (r.status !== 0) throw new Error(`reference.py failed (${r.status}): ${r.stderr || r.error}`);
  return JSON.parse(r.stdout) as T;
}

export interface ReferenceComparison {
  variant: string;
  control: string;
  difference: number;
  statistic: number;
  df: number | null;
  p_value: number | null;
  p_value_adjusted: number | null;
  ci_low: number;
  ci_high: number;
  ci_low_statsmodels?: number;
  ci_high_statsmodels?: number;
  relative_lift: number | null;
  relative_ci_low: number | null;
  relative_ci_high: number | null;
  sequential: { p_value: number | null; ci_low: number; ci_high: number };
  cuped?: {
    theta: number;
    difference: number;
    ci_low: number;
    ci_high: number;
    p_value: number | null;
    p_value_adjusted: number | null;
  };
}

export interface ReferenceCase {
  variants: { n: number; mean: number; variance: number }[];
  srm: { chi2: number; p_value: number };
  comparisons: ReferenceComparison[];
}

export interface ReferencePower {
  effect_size: number;
  exact: number;
  per_variant: number;
  power_at_n: number;
}

export interface ReferenceOutput {
  cases: ReferenceCase[];
  power: ReferencePower[];
  families: { holm: number[]; bh: number[] }[];
}
