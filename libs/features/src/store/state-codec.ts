/**
 * Binary encoding of plain data (what an EntityState is made of: numbers, strings, booleans, null,
 * arrays, plain objects, Maps), faster to write and read than JSON and 40 % smaller:
 *   1. the strings: a count, a form (0 = latin1: all ASCII, 1 = UTF-8, 2 = a JSON string literal: some
 *      lone surrogate), the byte length of their concatenation, each one's length in UTF-16 units
 *      (varints), then the concatenation — one native decode then slices, far cheaper than a decode
 *      per string;
 *   2. the root value, one tag byte per value:
 *        0x00–0xBF  the integer 0–191 itself (counts, empty partials: most values)
 *        0xC0 n     a non-negative safe integer n (varint: 7 bits a byte, low first) · 0xC1 n  −n
 *        0xC2 f64   any other number (little-endian IEEE 754: keeps −0 and every bit)
 *        0xC3 i     the i-th string (of the table) · 0xC4 n  the string of the integer n (canonical decimal)
 *        0xC5 n …   an array of n values · 0xC6 n …  an object of n (key: a string value, value)
 *        0xC7 n …   a Map of n (key, value) · 0xC8 true · 0xC9 false · 0xCA null (also for undefined)
 *        0xCB n …   an array of n non-negative safe integers, each a varint (tiles: no tag bytes)
 * Any change here needs a new format byte (see online-store.ts). Written by ValueWriter
 * (state-encoder.ts), read by decodeValue (state-decoder.ts).
 */
export const SMALL_LIMIT = 0xc0;
export const T_UINT = 0xc0;
export const T_NEGINT = 0xc1;
export const T_FLOAT = 0xc2;
export const T_STRING = 0xc3;
export const T_INTSTR = 0xc4;
export const T_ARRAY = 0xc5;
export const T_OBJECT = 0xc6;
export const T_MAP = 0xc7;
export const T_TRUE = 0xc8;
export const T_FALSE = 0xc9;
export const T_NULL = 0xca;
export const T_UINTS = 0xcb;

// Forms of the string table.
export const LATIN1 = 0;
export const UTF8 = 1;
export const JSON_TEXT = 2;
export class CorruptEncodingError extends Error {}
