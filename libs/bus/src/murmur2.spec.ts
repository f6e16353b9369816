import { murmur2, partitionForKey } from './murmur2';
// kafkajs's own implementation is the reference: keys must land where kafkajs would put them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsMurmur2: (key: string | Buffer) => number = require('kafkajs/src/producer/partitioners/default/murmur2');

describe('murmur2', () => {
  it('matches kafkajs for keys of every tail length', () => {
    for (const key of ['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'learner-42', 'ünïcødé-ключ', '0123456789abcdef0']) {
      expect(murmur2(key)).toBe(kafkajsMurmur2(key));
    }
  });
  it('matches kafkajs on many generated keys and byte strings', () => {
    for (let i = 0; i < 2000; i++) {
      const key = `entity-${i * 7919}-${(i * 31) % 97}`;
      expect(murmur2(key)).toBe(kafkajsMurmur2(key));
      const bytes = Buffer.from(Array.from({ length: i % 23 }, (_, j) => (i * 13 + j * 101) % 256));
      expect(murmur2(bytes)).toBe(kafkajsMurmur2(bytes));
    }
  });
  it("matches the Java client on the values of Kafka's UtilsTest.testMurmur2", () => {
    expect(murmur2('21')).toBe(-973932308);
    expect(murmur2('foobar')).toBe(-790332482);
    expect(murmur2('a-little-bit-long-string')).toBe(-985981536);
    expect(murmur2('a-little-bit-longer-string')).toBe(-1486304829);
    expect(murmur2('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8')).toBe(-58897971);
    expect(murmur2(Buffer.from('abc'))).toBe(479470107);
  });
  it('maps keys to partitions like kafkajs DefaultPartitioner', () => {
    expect(partitionForKey('learner-1', 4)).toBe((kafkajsMurmur2('learner-1') & 0x7fffffff) % 4);
    expect(partitionForKey('foobar', 4)).toBe((-790332482 & 0x7fffffff) % 4);
  });
  it('rejects a non-positive partition count', () => {
    expect(() => partitionForKey('k', 0)).toThrow(RangeError);
    expect(() => partitionForKey('k', 1.5)).toThrow(/partitions/);
  });
});
