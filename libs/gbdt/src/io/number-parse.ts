// Number parsing straight from bytes, for the CSV / LibSVM readers: no string per cell on the common
// path. Decimal numbers of up to 15 significant digits with a decimal exponent within +-22 are
// exact by Clinger's fast path (an exact integer times or divided by an exact power of ten rounds
// once, correctly); anything else falls back to Number() on the text, so results always equal
// Number(text) — the same double that numpy/pandas parse before casting to float32.

const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/**
 * Set by the parsers: `failed` is true when the cell is not a number (nor a missing-value marker);
 * `end` is where scanCell stopped (the delimiter or the end of the line).
 */
export const parseState = { failed: false, end: 0 };

/**
 * Parses the cell starting at `start` and ending at the next `delim` byte or at `limit`, in one pass
 * over the bytes (the CSV hot path); sets parseState.end to the cell's end. Same results as
 * parseNumberBytes on the cell.
 */
export function scanCell(buf: Uint8Array, start: number, limit: number, delim: number): number {
  let i = start;
  let neg = false;
  let c = i < limit ? buf[i] : delim;
  if (c === 45) {
    neg = true;
    c = ++i < limit ? buf[i] : delim;
  }
  let mant = 0;
  let digits = 0;
  let exp10 = 0;
  while (c >= 48 && c <= 57) {
    mant = mant * 10 + (c - 48);
    digits++;
    c = ++i < limit ? buf[i] : delim;
  }
  if (c === 46) {
    c = ++i < limit ? buf[i] : delim;
    while (c >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48);
      digits++;
      exp10--;
      c = ++i < limit ? buf[i] : delim;
    }
  }
  // Plain decimals of up to 15 digits (leading zeros included, to stay exact) end here.
  if (c === delim && digits > 0 && digits <= 15 && exp10 >= -22) {
    parseState.failed = false;
    parseState.end = i;
    const v = exp10 < 0 ? mant / POW10[-exp10] : mant;
    return neg ? -v : v;
  }
  let end = i;
  while (end < limit && buf[end] !== delim) end++;
  parseState.end = end;
  return parseNumberBytes(buf, start, end);
}

/**
 * Parses buf[start, end). Empty (or blank) cells and NaN / nan / NA / null (any case, optionally
 * quoted) are missing: NaN. A non-numeric or non-finite cell returns NaN and sets `parseState.failed`.
 */
export function parseNumberBytes(buf: Uint8Array, start: number, end: number): number {
  parseState.failed = false;
  if (start === end) return NaN;
  let i = start;
  const c = buf[i];
  let neg = false;
  if (c === 45 /* - */) {
    neg = true;
    i++;
  } else if (c === 43 /* + */) i++;
  let mant = 0;
  let sig = 0;
  let exp10 = 0;
  let digits = 0;
  for (; i < end; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) break;
    digits++;
    if (mant !== 0 || d !== 0) sig++;
    mant = mant * 10 + d;
  }
  if (i < end && buf[i] === 46 /* . */) {
    for (i++; i < end; i++) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) break;
      digits++;
      if (mant !== 0 || d !== 0) sig++;
      mant = mant * 10 + d;
      exp10--;
    }
  }
  if (digits > 0 && i < end && (buf[i] === 101 || buf[i] === 69) /* e E */) {
    i++;
    let eneg = false;
    if (i < end && (buf[i] === 45 || buf[i] === 43)) eneg = buf[i++] === 45;
    let e = 0;
    let edigits = 0;
    for (; i < end; i++) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) break;
      e = e * 10 + d;
      edigits++;
    }
    if (edigits === 0 || e > 400) return slowPath(buf, start, end);
    exp10 += eneg ? -e : e;
  }
  if (i !== end || digits === 0 || sig > 15 || exp10 < -22 || exp10 > 22) return slowPath(buf, start, end);
  const v = exp10 < 0 ? mant / POW10[-exp10] : mant * POW10[exp10];
  return neg ? -v : v;
}

const MISSING = new Set(['', 'nan', 'na', 'null']);

function slowPath(buf: Uint8Array, start: number, end: number): number {
  let text = Buffer.from(buf.buffer, buf.byteOffset + start, end - start)
    .toString('latin1')
    .trim();
  if (text.length >= 2 && text[0] === '"' && text[text.length - 1] === '"') text = text.slice(1, -1).trim();
  if (MISSING.has(text.toLowerCase())) return NaN;
  const v = Number(text);
  if (!Number.isFinite(v) || text === '') {
    parseState.failed = true;
    return NaN;
  }
  return v;
}

/** The raw text of a cell, for error messages (cut at 40 characters). */
export function cellText(buf: Uint8Array, start: number, end: number): string {
  const text = Buffer.from(buf.buffer, buf.byteOffset + start, Math.min(end - start, 40)).toString('utf8');
  return end - start > 40 ? `${text}...` : text;
}
