/**
 * 32-bit FNV-1a over the string's UTF-16 code units (not its UTF-8 bytes), as GrowthBook's SDKs hash:
 * a byte-oriented FNV library would put non-ASCII ids in other buckets than GrowthBook does.
 */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
