import { benjaminiHochberg } from './benjamini-hochberg';
import { checkPValues } from './check-p-values';
import { holm } from './holm';

/** Adjusts a family of p-values; the result is in the input's order. */
export type Correction = (pValues: readonly number[]) => number[];

function none(pValues: readonly number[]): number[] {
  checkPValues(pValues);
  return [...pValues];
}

/** Multiple-comparison corrections by name; a new one is one file and one line here. */
export const CORRECTIONS = {
  none,
  holm,
  bh: benjaminiHochberg,
} as const satisfies Record<string, Correction>;

export type CorrectionName = keyof typeof CORRECTIONS;

export const CORRECTION_NAMES = Object.keys(CORRECTIONS) as CorrectionName[];
