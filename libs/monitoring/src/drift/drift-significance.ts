/**
 * When a feature's drift in a window counts toward the feature_drift alert. Evidently's per-test
 * verdict (`drifted`) is reported as it is, but on a daily window of a few hundred rows it flags
 * weekday patterns, sampling noise and features still growing with the entities' age. What counts is
 * a PSI past the conventional major-shift level and past what the reference's own days reach
 * (NannyML sets its thresholds the same way, from the spread over the reference period's chunks).
 */
import type { PsiSpread, ReferenceCalibration } from '@pulse/training';

/** PSI's conventional bands: < 0.1 no change, 0.1–0.25 moderate, > 0.25 a major shift. */
export const PSI_MAJOR_SHIFT = 0.25;
/** Standard deviations of the reference days' PSI a window must exceed their mean by. */
export const CALIBRATION_SIGMAS = 3;

export type { PsiSpread };

/** The reference's daily spread, as stored with a model version. */
export type DriftCalibration = Pick<ReferenceCalibration, 'windowMs' | 'psi' | 'score'>;

/**
 * The PSI above which a window's drift counts: the major-shift level (or a model's own `floor`), or
 * the calibrated one when higher.
 */
export function significantPsiThreshold(spread?: PsiSpread | null, floor = PSI_MAJOR_SHIFT): number {
  if (!(floor > 0)) throw new RangeError(`floor must be > 0, got ${floor}`);
  if (spread === undefined || spread === null) return floor;
  if (!Number.isFinite(spread.mean) || !Number.isFinite(spread.std) || spread.std < 0)
    throw new RangeError(`spread must hold a finite mean and a finite std >= 0, got ${JSON.stringify(spread)}`);
  return Math.max(floor, spread.mean + CALIBRATION_SIGMAS * spread.std);
}

/**
 * Whether a feature's drift counts. With a calibration for windows of this size: its PSI is past
 * significantPsiThreshold; for another size (no reference spread to go by): Evidently's verdict and
 * a PSI past the major-shift level.
 */
export function isSignificantDrift(
  drift: { readonly psi: number | null; readonly drifted: boolean },
  spread: PsiSpread | null | undefined,
  calibrated: boolean,
  floor = PSI_MAJOR_SHIFT,
): boolean {
  if (drift.psi === null || !Number.isFinite(drift.psi)) return false;
  if (calibrated) return drift.psi > significantPsiThreshold(spread, floor);
  return drift.drifted && drift.psi > floor;
}
