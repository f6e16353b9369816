/**
 * Whether `actual` is one of `expected`; an array attribute matches when any element does.
 * `insensitive` compares strings case-folded.
 */
export function isIn(actual: unknown, expected: readonly unknown[], insensitive = false): boolean {
  if (insensitive) {
    const fold = (x: unknown) => (typeof x === 'string' ? x.toLowerCase() : x);
    if (Array.isArray(actual)) return actual.some((el) => expected.some((e) => fold(el) === fold(e)));
    return expected.some((e) => fold(actual) === fold(e));
  }
  if (Array.isArray(actual)) return actual.some((el) => expected.includes(el));
  return expected.includes(actual);
}
