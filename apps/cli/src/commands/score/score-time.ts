import { InvalidArgumentError } from 'commander';

// A date, or a date and time with its zone: a time without one would be read in this machine's zone.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2}))?$/;
const EXPECTED =
  'expected an RFC 3339 time with its zone such as 2026-09-01T12:00:00Z, a date (2026-09-01, UTC midnight) or epoch milliseconds';

/** `--at`: an RFC 3339 time with a zone, a UTC date, or epoch ms; anything else is refused with the expected form. */
export function parseTimeOption(value: string): number {
  const text = value.trim();
  if (/^\d{1,15}$/.test(text)) return Number(text);
  const m = RFC3339.exec(text);
  if (m === null) throw new InvalidArgumentError(`${EXPECTED}, got "${value}".`);
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = m;
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  const exists =
    day.getUTCFullYear() === Number(y) && day.getUTCMonth() === Number(mo) - 1 && day.getUTCDate() === Number(d);
  if (!exists || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59)
    throw new InvalidArgumentError(`"${value}" is not a time that exists; ${EXPECTED}.`);
  const ms = Date.parse(m[4] === undefined ? `${y}-${mo}-${d}T00:00:00Z` : text.toUpperCase());
  if (!Number.isSafeInteger(ms) || ms < 0) throw new InvalidArgumentError(`${EXPECTED}, got "${value}".`);
  return ms;
}
