import { fnv1a32 } from './fnv1a32';
import { hash } from './growthbook-hash';

describe('fnv1a32', () => {
  it('matches the FNV-1a reference values', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('hashes UTF-16 code units', () => expect(fnv1a32('é')).toBe(fnv1a32('\u00e9')));
});

describe('hash', () => {
  it('version 1 hashes value then seed into 1000 buckets', () => expect(hash('', 'a', 1)).toBe(0.22));
  it('version 1 with a seed', () => expect(hash('b', 'a', 1)).toBe(0.946));
  it('version 2 hashes twice into 10,000 buckets', () => expect(hash('seed', 'a', 2)).toBe(0.0505));
  it('an unknown version is null', () => expect(hash('', 'a', 3)).toBeNull());
});
