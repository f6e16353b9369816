// Jensen-Shannon distance (Evidently "jensenshannon"): scipy's jensenshannon, natural log, of the
// bins' proportions as they are (Evidently calls get_binned_data with feel_zeroes=False). Evidently:
// default threshold 0.1, drift when the distance >= 0.1.
import { proportions } from '../binning/proportions';
import { jensenShannonDistance } from '../stats/jensen-shannon';
import type { StatTest } from './stattest.types';

export const jsTest: StatTest<number> = {
  name: 'js',
  evidentlyName: 'jensenshannon',
  kinds: ['numeric', 'categorical'],
  defaultThreshold: 0.1,
  scoreIs: 'distance',
  compute: (input) =>
    jensenShannonDistance(
      proportions(input.referenceCounts, input.referenceTotal),
      proportions(input.currentCounts, input.currentTotal),
    ),
  score: (js) => js,
  drifted: (js, threshold = 0.1) => js >= threshold,
};
