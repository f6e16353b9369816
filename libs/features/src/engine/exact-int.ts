// Exact integer arithmetic for sums, so that a sum never depends on the order of its additions
// (floating-point addition is not associative; integer addition below 2^53 is exact). A value stays a
// plain number while it is a safe integer and becomes its decimal string (a BigInt) beyond: one
// canonical form per value, so states built in different orders are deep-equal.
import type { ExactInt } from './entity-state';

export function addExact(a: ExactInt, b: number | ExactInt): ExactInt {
  if (typeof a === 'number' && typeof b === 'number') {
    const s = a + b;
    // Rounding is monotonic: if the exact sum is beyond 2^53 the rounded one is too, so a safe
    // result is an exact one.
    if (Number.isSafeInteger(s)) return s;
  }
  return normalise(BigInt(a) + BigInt(b));
}

export function squareExact(q: number): ExactInt {
  const s = q * q;
  if (Number.isSafeInteger(s)) return s;
  return normalise(BigInt(q) * BigInt(q));
}

export function toBigInt(a: ExactInt): bigint {
  return BigInt(a);
}

export function toNumber(a: ExactInt): number {
  return typeof a === 'number' ? a : Number(BigInt(a));
}

function normalise(v: bigint): ExactInt {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}
