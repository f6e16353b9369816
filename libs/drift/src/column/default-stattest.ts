// Which test decides `drifted` for a column: Evidently's default choice
// (evidently/legacy/calculations/stattests/registry.py, `_get_default_stattest`), where n is the
// reference's row count after missing values are dropped and `distinct` the number of distinct values
// over both samples:
//   n <= 1000: numeric with > 5 distinct values → ks; otherwise (categorical, or numeric with <= 5
//              distinct values) → chi2 with > 2 distinct values, else z
//   n >  1000: numeric with > 5 distinct values → wasserstein; otherwise → js
import type { ColumnKind } from '../stattests/stattest.types';

export type DecidingTest = 'ks' | 'wasserstein' | 'chi2' | 'z' | 'js';

/** Evidently's row count up to which the p-value tests decide. */
export const SMALL_REFERENCE_ROWS = 1000;

export function defaultStatTest(kind: ColumnKind, referenceRows: number, distinct: number): DecidingTest {
  const manyValues = kind === 'numeric' && distinct > 5;
  if (referenceRows <= SMALL_REFERENCE_ROWS) {
    if (manyValues) return 'ks';
    return distinct > 2 ? 'chi2' : 'z';
  }
  return manyValues ? 'wasserstein' : 'js';
}
