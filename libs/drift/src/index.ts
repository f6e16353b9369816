// Data drift between a reference and a current sample, Evidently's tests with numpy / scipy's
// definitions, and mergeable bounded-memory windows against a stored reference profile
export type { Numbers } from './guards';
export type { Category } from './values';
export { linspace, sturgesEdges, histogramCounts } from './binning/numpy-histogram';
export { fillZeroes, proportions } from './binning/proportions';
export { ks2samp, ksStatistic, ksTest, KS_EXACT_MAX_N, type KsResult } from './stats/ks-2samp';
export { kstwoSf } from './stats/kstwo';
export { wassersteinDistance } from './stats/wasserstein';
export { chiSquareSf, chiSquareTest, type ChiSquareResult } from './stats/chi-square';
export { jensenShannonDistance } from './stats/jensen-shannon';
export { populationStabilityIndex } from './stats/psi';
export { numpyMean, numpyStd } from './stats/moments';
export type { ColumnKind, StatTest, StatTestInput, TestStatistic } from './stattests/stattest.types';
export { STAT_TESTS, type StatTestName } from './stattests/stattest.registry';
export { defaultStatTest, SMALL_REFERENCE_ROWS, type DecidingTest } from './column/default-stattest';
export {
  categoricalColumnDrift,
  categoricalColumnDriftDetails,
  numericColumnDrift,
  numericColumnDriftDetails,
  type ColumnDrift,
  type ColumnDriftDetails,
  type NumericDriftOptions,
} from './column/column-drift';
export {
  buildReferenceProfile,
  DEFAULT_PROFILE_BINS,
  type Binning,
  type CategoricalProfile,
  type NumericProfile,
  type ProfileOptions,
  type ReferenceProfile,
} from './window/reference-profile';
export { DriftWindow, mergeWindows, type DriftWindowState } from './window/drift-window';
export { windowDrift, type WindowDrift, type WindowDriftOptions } from './window/window-drift';
