// The drift tests by result field name. psi, js, ks, wasserstein and chi2 are reported for every
// column they apply to; z only decides `drifted` where Evidently's default choice is the Z-test.
import { chiSquareStatTest } from './chi-square.stattest';
import { jsTest } from './jensen-shannon.stattest';
import { ksTest } from './ks.stattest';
import { psiTest } from './psi.stattest';
import type { StatTest } from './stattest.types';
import { wassersteinTest } from './wasserstein.stattest';
import { zTest } from './z.stattest';

export const STAT_TESTS = {
  psi: psiTest,
  js: jsTest,
  ks: ksTest,
  wasserstein: wassersteinTest,
  chi2: chiSquareStatTest,
  z: zTest,
} as const satisfies Record<string, StatTest<unknown>>;

export type StatTestName = keyof typeof STAT_TESTS;
