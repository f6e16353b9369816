// Text helpers every section and plot goes through, so no input string reaches the page unescaped
// and no missing number prints as "NaN" or "null".

/** Printed wherever a value is missing, NaN or infinite. */
export const MISSING = '–';

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for element content and quoted attribute values alike. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

// A fixed locale keeps the page byte-identical on every machine.
const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Integers with thousands separators, other numbers with `decimals` places, missing ones as "–". */
export function formatNumber(value: number | null | undefined, decimals = 3): string {
  if (!isFiniteNumber(value)) return MISSING;
  if (Number.isInteger(value)) return INTEGER.format(value);
  if (value !== 0 && Math.abs(value) < 10 ** -decimals) return value.toExponential(1);
  return value.toFixed(decimals);
}

/** A share of a total as a percentage ("12.5%"), "–" when the total is zero or missing. */
export function formatShare(part: number, total: number): string {
  return isFiniteNumber(part) && isFiniteNumber(total) && total > 0 ? `${((100 * part) / total).toFixed(1)}%` : MISSING;
}

/** Any value as escaped HTML: strings and numbers inline, objects and arrays as pretty-printed JSON. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return MISSING;
  // Parameters print exactly as given (0.05, 1e-8), not rounded like metrics.
  if (typeof value === 'number') return isFiniteNumber(value) ? String(value) : MISSING;
  if (typeof value === 'string') return value === '' ? MISSING : escapeHtml(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return escapeHtml(String(value));
  return `<pre>${escapeHtml(prettyJson(value))}</pre>`;
}

function prettyJson(value: unknown): string {
  try {
    // NaN and ±Infinity print as the dash instead of JSON's silent null; bigint as its digits.
    const text = JSON.stringify(
      value,
      (_key, v: unknown) =>
        typeof v === 'bigint' ? v.toString() : typeof v === 'number' && !Number.isFinite(v) ? MISSING : v,
      2,
    );
    return text ?? MISSING;
  } catch {
    // A cycle cannot be printed as JSON; the page still renders.
    return MISSING;
  }
}
