import { randomIdentifier, randomName } from './random-name';

describe('random names', () => {
  it('starts with the prefix and uses topic-safe characters', () =>
    expect(randomName('topic')).toMatch(/^topic-[a-z0-9]+-[0-9a-f]{8}$/));
  it('differs on every call', () => expect(new Set(Array.from({ length: 100 }, () => randomName())).size).toBe(100));
  it('makes lower-case SQL identifiers', () =>
    expect(randomIdentifier('My-DB')).toMatch(/^my_db_[a-z0-9]+_[0-9a-f]{8}$/));
});
