import { LruMap } from '@pulse/core';

// Conditions come from a handful of definitions; compiling each pattern once keeps assignment cheap.
const cache = new LruMap<string, RegExp>(1000);

/** The pattern compiled as GrowthBook's SDK does (unescaped `/` escaped); throws when it is invalid. */
export function getRegex(pattern: string, insensitive = false): RegExp {
  const key = insensitive ? `${pattern}/i` : pattern;
  let regex = cache.get(key);
  if (!regex) {
    regex = new RegExp(pattern.replace(/([^\\])\//g, '$1\\/'), insensitive ? 'i' : undefined);
    cache.set(key, regex);
  }
  return regex;
}
