import { ValidationError } from '@pulse/core';

/** `at` as ISO-8601 or epoch milliseconds; absent means now. */
export function parseAt(value: unknown, field: string, nowMs = Date.now()): number {
  if (value === undefined || value === null || value === '') return nowMs;
  if (typeof value !== 'string' && typeof value !== 'number') throw new ValidationError(`${field} must be an ISO-8601 time or epoch milliseconds`, { field });
  const text = String(value).trim();
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) throw new ValidationError(`${field} must be an ISO-8601 time or epoch milliseconds, got "${text}"`, { field });
  return ms;
}

/** `view=a&view=b` or `view=a,b`. */
export function parseViews(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const list = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  return list.length > 0 ? list : undefined;
}
