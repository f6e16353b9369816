import { ByteSink, ByteSinkPool } from './byte-sink';

describe('ByteSink', () => {
  it('appends UTF-8, bytes, decimals and raw bytes, growing as needed', () => {
    const sink = new ByteSink(4);
    sink.writeUtf8('id-');
    sink.writeDecimal(1234567890);
    sink.byte(0x2c);
    expect(sink.writeUtf8('é')).toBe(2);
    sink.append(Uint8Array.from([0x21, 0x21]));
    expect(sink.written().toString('utf8')).toBe('id-1234567890,é!!');
  });

  it('writes into a given buffer while it is big enough, then into a bigger one', () => {
    const given = Buffer.alloc(16);
    const sink = new ByteSink(given);
    sink.writeUtf8('abc');
    expect(sink.buf).toBe(given);
    sink.writeUtf8('defghijk');
    expect(sink.buf).not.toBe(given);
    expect(sink.written().toString()).toBe('abcdefghijk');
  });

  it('rejects a negative size', () => expect(() => new ByteSink(-1)).toThrow(RangeError));
});

describe('ByteSinkPool', () => {
  it('hands back an emptied sink it was given', () => {
    const pool = new ByteSinkPool(16, 1);
    const sink = pool.take();
    sink.writeUtf8('x');
    pool.give(sink);
    const again = pool.take();
    expect(again).toBe(sink);
    expect(again.pos).toBe(0);
  });
});
