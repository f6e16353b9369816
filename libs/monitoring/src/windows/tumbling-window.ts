const UNITS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A window size written as `<n><unit>` (m, h or d), e.g. "1h", "1d", in ms. Throws a RangeError naming
 * the argument for anything else or a size outside [1 min, 31 days].
 */
export function parseWindowSize(text: string, argument = 'size'): number {
  const match = typeof text === 'string' ? /^(\d{1,4})([mhd])$/.exec(text.trim()) : null;
  if (!match) throw new RangeError(`${argument} must look like 30m, 1h or 1d, got ${JSON.stringify(text)}`);
  const ms = Number(match[1]) * UNITS[match[2]];
  if (ms < 60_000 || ms > 31 * 86_400_000) throw new RangeError(`${argument} must be between 1m and 31d, got ${text}`);
  return ms;
}

/** The start of the tumbling window of `sizeMs` holding event time `tMs` (windows aligned on the epoch). */
export function windowStart(tMs: number, sizeMs: number): number {
  if (!Number.isFinite(tMs)) throw new RangeError(`tMs must be a finite time, got ${tMs}`);
  if (!(sizeMs > 0)) throw new RangeError(`sizeMs must be positive, got ${sizeMs}`);
  return Math.floor(tMs / sizeMs) * sizeMs;
}

/** "1h" for 3 600 000 and so on: the label a window size carries in metrics and the API. */
export function windowLabel(sizeMs: number): string {
  for (const [unit, ms] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
  ] as const)
    if (sizeMs % ms === 0) return `${sizeMs / ms}${unit}`;
  return `${sizeMs}ms`;
}
