import { ConfigError } from '@pulse/core';
import { ANONYMOUS_ACTOR, authorizeChange, bearerToken, parseApiTokens } from './api-tokens';

describe('parseApiTokens', () => {
  it('reads name:token[:role] entries, admin by default, and keeps no token', () => {
    const tokens = parseApiTokens(' ana:s3cret-token-a , ci:s3cret-token-b:read,ops:s3cret-token-c:admin ');
    expect(tokens!.principals).toEqual([
      { name: 'ana', role: 'admin' },
      { name: 'ci', role: 'read' },
      { name: 'ops', role: 'admin' },
    ]);
    expect(JSON.stringify(tokens)).not.toContain('s3cret');
  });

  it('means tokens off when absent or blank', () => {
    expect(parseApiTokens(undefined)).toBeNull();
    expect(parseApiTokens('  ')).toBeNull();
  });

  it.each([
    ['ana', /name:token or name:token:role/],
    ['ana:tok:en:admin', /name:token or name:token:role/],
    ['ana:short', /at least 8 characters/],
    ['ana:has space!', /no spaces/],
    ['ana:long-enough:owner', /role must be admin or read/],
    ['a na:long-enough', /the name must be/],
    [':long-enough', /the name must be/],
    ['ana:long-enough,,bob:long-enough2', /entry 2 is empty/],
    ['ana:long-enough,ana:other-token', /ana is given twice/],
    ['ana:long-enough,bob:long-enough', /another entry's/],
  ])('refuses %j, naming the variable and not echoing the token', (value, message) => {
    let error: unknown;
    try {
      parseApiTokens(value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('PULSE_API_TOKENS');
    expect((error as ConfigError).message).toMatch(message);
    expect((error as ConfigError).message).not.toMatch(/long-enough|other-token/);
  });
});

describe('authorizeChange', () => {
  const tokens = parseApiTokens('ana:admin-token-1,ci:reader-token-1:read');

  it('lets anyone change things, as anonymous, when tokens are off', () => {
    expect(authorizeChange(null, undefined)).toEqual({ allowed: true, actor: ANONYMOUS_ACTOR });
  });

  it("records an admin token's name as the actor", () => {
    expect(authorizeChange(tokens, 'Bearer admin-token-1')).toEqual({ allowed: true, actor: 'ana' });
    expect(authorizeChange(tokens, 'bearer   admin-token-1 ')).toEqual({ allowed: true, actor: 'ana' });
  });

  it('answers no token, another scheme or an unknown token with 401 and a Bearer challenge', () => {
    for (const header of [undefined, '', 'Basic YW5hOnB3', 'Bearer', 'admin-token-1']) {
      expect(authorizeChange(tokens, header)).toMatchObject({
        allowed: false,
        status: 401,
        challenge: 'Bearer realm="pulse"',
      });
    }
    expect(authorizeChange(tokens, 'Bearer admin-token-2')).toMatchObject({
      allowed: false,
      status: 401,
      challenge: 'Bearer realm="pulse", error="invalid_token"',
    });
  });

  it('answers a read token with 403, naming its holder', () => {
    expect(authorizeChange(tokens, 'Bearer reader-token-1')).toMatchObject({
      allowed: false,
      status: 403,
      message: expect.stringContaining('ci holds a read token'),
      challenge: expect.stringContaining('insufficient_scope'),
    });
  });

  it('takes the token of a Bearer header only', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken('Token abc')).toBeUndefined();
  });
});
