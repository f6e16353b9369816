import { ConfigError } from '../errors/pulse-error';
import { EnvReader } from './env-config';

describe('EnvReader', () => {
  it('names a missing required variable', () => {
    expect(() => new EnvReader({}).string('DATABASE_URL')).toThrow(
      new ConfigError('DATABASE_URL', 'missing required environment variable DATABASE_URL'),
    );
  });
  it('uses the fallback when the variable is empty', () =>
    expect(new EnvReader({ PORT: '' }).int('PORT', 3001)).toBe(3001));
  it('parses integers in range', () => expect(new EnvReader({ PORT: '8080' }).int('PORT', 1, 1, 65535)).toBe(8080));
  it('rejects integers out of range', () =>
    expect(() => new EnvReader({ PORT: '70000' }).int('PORT', 1, 1, 65535)).toThrow(
      /PORT must be an integer in \[1, 65535\]/,
    ));
  it('rejects a malformed boolean', () =>
    expect(() => new EnvReader({ X: 'maybe' }).bool('X', false)).toThrow(/X must be true or false/));
  it('splits lists', () =>
    expect(new EnvReader({ KAFKA_BROKERS: 'a:1, b:2' }).list('KAFKA_BROKERS')).toEqual(['a:1', 'b:2']));
});
