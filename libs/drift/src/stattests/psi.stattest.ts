// PSI (Evidently "psi"): Σ (r − c) ln(r / c) over the bins' proportions with zeros filled as Evidently's
// `get_binned_data(feel_zeroes=True)` does. Evidently: default threshold 0.1, drift when PSI >= 0.1.
import { fillZeroes, proportions } from '../binning/proportions';
import { populationStabilityIndex } from '../stats/psi';
import type { StatTest } from './stattest.types';

export const psiTest: StatTest<number> = {
  name: 'psi',
  evidentlyName: 'psi',
  kinds: ['numeric', 'categorical'],
  defaultThreshold: 0.1,
  scoreIs: 'distance',
  compute: (input) =>
    populationStabilityIndex(
      fillZeroes(proportions(input.referenceCounts, input.referenceTotal)),
      fillZeroes(proportions(input.currentCounts, input.currentTotal)),
    ),
  score: (psi) => psi,
  drifted: (psi, threshold = 0.1) => psi >= threshold,
};
