// Normed Wasserstein distance (Evidently "wasserstein"): scipy's wasserstein_distance(reference,
// current) / max(np.std(reference), 0.001) — population std, floored as Evidently's
// `_wasserstein_distance_norm` does so a constant reference does not divide by 0. Evidently: default
// threshold 0.1, drift when the normed distance >= 0.1.
import { numpyStd } from '../stats/moments';
import { wassersteinDistance } from '../stats/wasserstein';
import { numericSamples } from './ks.stattest';
import type { StatTest } from './stattest.types';

/** Evidently's floor under the reference std. */
export const WASSERSTEIN_MIN_NORM = 0.001;

export const wassersteinTest: StatTest<number> = {
  name: 'wasserstein',
  evidentlyName: 'wasserstein',
  kinds: ['numeric'],
  defaultThreshold: 0.1,
  scoreIs: 'distance',
  compute: (input) => {
    const [reference, current] = numericSamples(input);
    return wassersteinDistance(reference, current) / Math.max(numpyStd(reference), WASSERSTEIN_MIN_NORM);
  },
  score: (w) => w,
  drifted: (w, threshold = 0.1) => w >= threshold,
};
