/** The type names `$type` compares against. */
export const VALUE_TYPES = ['string', 'number', 'boolean', 'object', 'array', 'null', 'undefined'] as const;

/** A value's type as `$type` names it: JSON's types plus "undefined"; "unknown" for anything else. */
export function getType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  return (VALUE_TYPES as readonly string[]).includes(t) ? t : 'unknown';
}
