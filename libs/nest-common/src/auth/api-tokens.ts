import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '@pulse/core';

/** admin: may change things (train, move aliases); read: may only read, which needs no token anyway. */
export type ApiRole = 'admin' | 'read';

export const API_ROLES: readonly ApiRole[] = ['admin', 'read'];

/** Who the API records as the actor when tokens are off. */
export const ANONYMOUS_ACTOR = 'anonymous';

/** A token's holder: recorded as the actor of what they do (alias history, jobs). */
export interface ApiPrincipal {
  readonly name: string;
  readonly role: ApiRole;
}

interface TokenEntry extends ApiPrincipal {
  /** SHA-256 of the token (hex; config is deep-frozen, a Buffer cannot be): the token itself is not kept. */
  readonly digest: string;
}

/** The tokens PULSE_API_TOKENS declares. */
export interface ApiTokens {
  readonly principals: readonly ApiPrincipal[];
  /** Internal: the digests checkApiToken compares against. */
  readonly entries: readonly TokenEntry[];
}

export type AuthDecision =
  | { readonly allowed: true; readonly actor: string }
  | {
      readonly allowed: false;
      readonly status: 401 | 403;
      readonly message: string;
      /** The WWW-Authenticate header to answer with (RFC 6750). */
      readonly challenge: string;
    };

// Names end up as actors in the alias history and on models.lifecycle.v1: short and plain.
const NAME = /^[A-Za-z0-9._@-]{1,64}$/;
const MIN_TOKEN_LENGTH = 8;
const REALM = 'Bearer realm="pulse"';

/**
 * Reads `name:token[:role]` entries, comma-separated (role `admin`, the default, or `read`). Absent or
 * blank: null (tokens off). A malformed entry is a ConfigError naming the variable, never echoing a token.
 */
export function parseApiTokens(value: string | undefined, variable = 'PULSE_API_TOKENS'): ApiTokens | null {
  if (value === undefined || value.trim() === '') return null;
  const entries: TokenEntry[] = [];
  const names = new Set<string>();
  const digests = new Set<string>();
  value.split(',').forEach((raw, i) => {
    const entry = raw.trim();
    const at = `${variable} entry ${i + 1}`;
    if (entry === '')
      throw new ConfigError(variable, `${at} is empty (entries are name:token[:role], comma-separated)`);
    const parts = entry.split(':');
    if (parts.length < 2 || parts.length > 3)
      throw new ConfigError(variable, `${at} must be name:token or name:token:role (a token may not hold ':')`);
    const [name, token, role = 'admin'] = parts;
    if (!NAME.test(name))
      throw new ConfigError(
        variable,
        `${at}: the name must be 1-64 letters, digits or . _ @ -, got ${JSON.stringify(name)}`,
      );
    if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token))
      throw new ConfigError(
        variable,
        `${at} (${name}): the token must be at least ${MIN_TOKEN_LENGTH} characters, no spaces`,
      );
    if (!(API_ROLES as readonly string[]).includes(role))
      throw new ConfigError(
        variable,
        `${at} (${name}): the role must be ${API_ROLES.join(' or ')}, got ${JSON.stringify(role)}`,
      );
    if (names.has(name)) throw new ConfigError(variable, `${at}: the name ${name} is given twice`);
    const digest = sha256(token).toString('hex');
    if (digests.has(digest)) throw new ConfigError(variable, `${at} (${name}): its token is another entry's`);
    names.add(name);
    digests.add(digest);
    entries.push({ name, role: role as ApiRole, digest });
  });
  return { principals: entries.map(({ name, role }) => ({ name, role })), entries };
}

/**
 * Whether a request carrying this Authorization header may change things. Tokens off: allowed, as
 * `anonymous`. Otherwise: no or an unknown bearer token is 401, a `read` token 403.
 */
export function authorizeChange(tokens: ApiTokens | null, authorization: string | undefined): AuthDecision {
  if (tokens === null) return { allowed: true, actor: ANONYMOUS_ACTOR };
  const token = bearerToken(authorization);
  if (token === undefined)
    return {
      allowed: false,
      status: 401,
      message: 'this endpoint changes things: send Authorization: Bearer <token> (a PULSE_API_TOKENS token)',
      challenge: REALM,
    };
  const principal = findToken(tokens, token);
  if (principal === undefined)
    return {
      allowed: false,
      status: 401,
      message: 'the bearer token is not one of PULSE_API_TOKENS',
      challenge: `${REALM}, error="invalid_token"`,
    };
  if (principal.role !== 'admin')
    return {
      allowed: false,
      status: 403,
      message: `${principal.name} holds a ${principal.role} token; changes need an admin token`,
      challenge: `${REALM}, error="insufficient_scope"`,
    };
  return { allowed: true, actor: principal.name };
}

/** The token of a `Bearer <token>` header (scheme case-insensitive), undefined for anything else. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
  return match?.[1];
}

function findToken(tokens: ApiTokens, token: string): ApiPrincipal | undefined {
  const digest = sha256(token);
  let found: TokenEntry | undefined;
  // Every entry is compared, so the time taken says nothing about which one (nearly) matched.
  for (const entry of tokens.entries) if (timingSafeEqual(Buffer.from(entry.digest, 'hex'), digest)) found = entry;
  return found === undefined ? undefined : { name: found.name, role: found.role };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
