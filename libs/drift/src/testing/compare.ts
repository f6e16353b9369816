// Field-by-field comparison with reference values, collecting every mismatch so a failing spec lists
// them all: statistics within 1e-9 (absolute or relative), p-values within 1e-8, infinities and NaN
// equal to themselves.

export const STAT_TOLERANCE = 1e-9;
export const P_TOLERANCE = 1e-8;

export function close(actual: number | undefined, expected: number, tolerance: number): boolean {
  if (actual === undefined) return false;
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected));
}

export class Mismatches {
  readonly list: string[] = [];

  number(label: string, actual: number | undefined, expected: number, tolerance = STAT_TOLERANCE): void {
    if (!close(actual, expected, tolerance)) this.list.push(`${label}: ${actual} ≠ ${expected}`);
  }

  exact(label: string, actual: unknown, expected: unknown): void {
    if (JSON.stringify(actual) !== JSON.stringify(expected))
      this.list.push(`${label}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(expected)}`);
  }
}
