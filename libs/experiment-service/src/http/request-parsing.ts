import { ValidationError } from '@pulse/core';

/** A query parameter given once (Fastify makes repeated ones an array). */
export function single(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ValidationError(`${field} must be given once, as text`, { field });
  return value;
}

export function parseKey(value: string): string {
  if (value === '' || value.length > 255 || value.includes('\u0000'))
    throw new ValidationError('key must be 1–255 characters without NUL', { field: 'key' });
  return value;
}

export function parseExpectedVersion(value: unknown): number | undefined {
  const raw = single(value, 'expectedVersion');
  if (raw === undefined) return undefined;
  if (!/^[1-9]\d{0,8}$/.test(raw))
    throw new ValidationError(`expectedVersion must be a version number, got ${JSON.stringify(raw)}`, {
      field: 'expectedVersion',
    });
  return Number(raw);
}

export function parseAlpha(value: unknown): number | undefined {
  const raw = single(value, 'alpha');
  if (raw === undefined) return undefined;
  const alpha = Number(raw);
  if (raw.trim() === '' || !(alpha > 0 && alpha < 0.5))
    throw new ValidationError(`alpha must be a number in (0, 0.5), got ${JSON.stringify(raw)}`, { field: 'alpha' });
  return alpha;
}

export function parseAsOf(value: unknown): number | undefined {
  const raw = single(value, 'asOf');
  if (raw === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(raw) ? Date.parse(raw) : NaN;
  if (!Number.isFinite(ms) || ms < 0 || ms > 8.64e15)
    throw new ValidationError(`asOf must be an ISO 8601 instant, got ${JSON.stringify(raw)}`, { field: 'asOf' });
  return ms;
}
