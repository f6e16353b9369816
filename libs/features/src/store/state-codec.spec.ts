import fc from 'fast-check';
import { CorruptEncodingError } from './state-codec';
import { decodeValue } from './state-decoder';
import { ByteSink } from '@pulse/core';
import { putVarint, ValueWriter } from './state-encoder';

const writer = new ValueWriter();
const encode = (v: unknown) => writer.encode('', v);
const roundTrip = (v: unknown) => decodeValue(encode(v), 0);
/** All the bytes: the string table (count, form, byte length, lengths, text), then the value. */
const body = (v: unknown) => [...encode(v)];

describe('putVarint', () => {
  it.each([
    [0, [0x00]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [2 ** 31 - 1, [0xff, 0xff, 0xff, 0xff, 0x07]],
    [2 ** 31, [0x80, 0x80, 0x80, 0x80, 0x08]],
    [2 ** 32, [0x80, 0x80, 0x80, 0x80, 0x10]],
    [1795214664380, [0xbc, 0xc5, 0x87, 0xd9, 0x9f, 0x34]],
    [2 ** 53 - 1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]],
  ])('writes %p as LEB128 %p', (n, bytes) => {
    const buf = Buffer.alloc(10);
    expect([...buf.subarray(0, putVarint(buf, 0, n))]).toEqual(bytes);
  });
});

describe('state codec', () => {
  it('writes small integers as one byte, larger ones as varints', () => {
    // [no strings, latin1, 0 bytes] value
    expect(body(0)).toEqual([0, 0, 0, 0]);
    expect(body(191)).toEqual([0, 0, 0, 191]);
    expect(body(192)).toEqual([0, 0, 0, 0xc0, 0xc0, 0x01]);
    expect(body(-1)).toEqual([0, 0, 0, 0xc1, 1]);
    expect(body(2 ** 40)).toEqual([0, 0, 0, 0xc0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
    expect(body(1.5)).toHaveLength(3 + 9);
  });
  it('writes strings in one table, integer strings as numbers, arrays of small integers without tags', () => {
    expect(body([0, 1, 200])).toEqual([0, 0, 0, 0xcb, 3, 0, 1, 0xc8, 0x01]);
    expect(body(['sms', 'web'])).toEqual([
      2, 0, 6, 3, 3, 0x73, 0x6d, 0x73, 0x77, 0x65, 0x62, 0xc5, 2, 0xc3, 0, 0xc3, 1,
    ]);
    expect(body('19746')).toEqual([0, 0, 0, 0xc4, 0xa2, 0x9a, 0x01]);
    expect(body(new Map([['a', 1]]))).toEqual([1, 0, 1, 1, 0x61, 0xc7, 1, 0xc3, 0, 1]);
    expect(roundTrip({ '007': 1, '-1': 2, '1e3': 3, '19746': 4, x: [1, { y: 'z' }] })).toEqual({
      '007': 1,
      '-1': 2,
      '1e3': 3,
      '19746': 4,
      x: [1, { y: 'z' }],
    });
    expect(
      roundTrip(
        new Map<unknown, unknown>([
          ['id', 1706614671048],
          [3, [null]],
        ]),
      ),
    ).toEqual(
      new Map<unknown, unknown>([
        ['id', 1706614671048],
        [3, [null]],
      ]),
    );
    expect(() => encode(new Date(0))).toThrow(/class instance/);
  });
  it('round-trips edge values exactly', () => {
    for (const v of [
      -0,
      2 ** 53 - 1,
      -(2 ** 53 - 1),
      2 ** 53,
      1e300,
      -1e-300,
      0.1,
      Infinity,
      -Infinity,
      'é ✓ 𝄞',
      'lone \ud800 surrogate',
      '',
      true,
      false,
      null,
    ]) {
      expect(Object.is(roundTrip(v), v)).toBe(true);
    }
    expect(roundTrip(NaN)).toBeNaN();
    expect(roundTrip([undefined])).toEqual([null]);
    expect(Object.is((roundTrip({ a: -0 }) as { a: number }).a, -0)).toBe(true);
    expect(roundTrip(JSON.parse('{"__proto__": [1]}'))).toEqual(JSON.parse('{"__proto__": [1]}'));
  });
  it('round-trips any JSON-like value (property)', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => expect(roundTrip(v)).toEqual(v)));
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.double(),
            fc.string({ unit: 'binary' }),
            fc.array(fc.integer({ min: 0, max: 0xffff })).map((codes) => String.fromCharCode(...codes)),
            fc.maxSafeInteger(),
          ),
        ),
        (v) => expect(roundTrip(v)).toEqual(v),
      ),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.double({ noNaN: true })), (v) => expect(roundTrip(v)).toEqual(v)),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.maxSafeNat())), (pairs) =>
        expect(roundTrip(new Map(pairs))).toEqual(new Map(pairs)),
      ),
    );
  });
  it('rejects truncated or malformed input', () => {
    const buf = encode({ a: [1, 2, 'xyz', 1e6, { n: 3 }], b: [1, 300, 2 ** 40], m: new Map([['k', 1]]) });
    for (let cut = 0; cut < buf.length; cut++)
      expect(() => decodeValue(buf.subarray(0, cut), 0)).toThrow(CorruptEncodingError);
    expect(() => decodeValue(Buffer.from([0, 0, 0, 0xff]), 0)).toThrow(/unknown tag 0xff/);
    expect(() => decodeValue(Buffer.from([0, 0, 0, 0xc3, 0]), 0)).toThrow(/string #0 not defined/);
    expect(() => decodeValue(Buffer.from([0, 0, 0, 0xc5, 0xff, 0xff, 0x7f]), 0)).toThrow(/exceeds the remaining/);
    expect(() => decodeValue(Buffer.from([0, 0, 0, 0xc6, 1, 1, 1]), 0)).toThrow(/key is not a string/);
    expect(() => decodeValue(Buffer.from([0, 0, 0, 1, 2]), 0)).toThrow(/trailing bytes/);
    expect(() => decodeValue(Buffer.from([1, 0, 1, 2, 0x61, 0xc3, 0]), 0)).toThrow(/do not add up/);
  });
  it("writes an object's key count as a varint, past 127 keys too", () => {
    const keys = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i % 3 === 0 ? { n: i } : i]));
    for (const n of [0, 1, 127, 128, 300, 20_000]) expect(roundTrip(keys(n))).toEqual(keys(n));
    const at = (v: unknown) => body(v).indexOf(0xc6);
    expect(body(keys(200)).slice(at(keys(200)), at(keys(200)) + 3)).toEqual([0xc6, 0xc8, 0x01]);
  });
  it('encodeTo appends to a sink exactly the bytes encode returns (property)', () => {
    const sink = new ByteSink(16);
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), fc.dictionary(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }))),
        (v) => {
          sink.pos = 0;
          sink.writeUtf8('before');
          writer.encodeTo(sink, '7|', v);
          expect(sink.written().subarray(6).equals(writer.encode('7|', v))).toBe(true);
        },
      ),
    );
  });
  it('ByteSink writes UTF-8 and decimal integers, growing as needed', () => {
    const sink = new ByteSink(0);
    for (const s of ['', 'id-1', 'ü€😀', 'lone \ud800']) {
      sink.pos = 0;
      expect(sink.writeUtf8(s)).toBe(Buffer.byteLength(s));
      expect(sink.written().equals(Buffer.from(s))).toBe(true);
    }
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => {
        sink.pos = 0;
        sink.writeDecimal(n);
        expect(sink.written().toString('latin1')).toBe(String(n));
      }),
    );
    expect(() => new ByteSink(-1)).toThrow(RangeError);
  });
  it('grows its buffer for large values and can be reused', () => {
    const big = Array.from({ length: 20_000 }, (_, i) => [`id-${i}`, i * 1e6]);
    expect(roundTrip(big)).toEqual(big);
    expect(roundTrip('id-1')).toBe('id-1');
  });
});
