import { PulseError } from '@pulse/core';

/**
 * How ingest tells a store that cannot be reached (wait and retry the batch, however long: nothing may
 * be lost) from one that refuses what it is given (retrying changes nothing: isolate the record and
 * dead-letter it, so the partition goes on).
 */

/**
 * SQLSTATEs of a value Postgres refuses, the same for it every time whatever the server's state: 22
 * data exceptions (an invalid byte sequence, a value out of range), 23514 a check constraint, 54000
 * a value over a limit (an index row too large). Every other SQLSTATE — a server down, read-only,
 * out of resources, a password rotated, a schema or grant out of step during a deploy — is waited
 * for: dead-lettering the stream for it would lose good events.
 */
const DATA_SQLSTATE = /^(22...|23514|54000)$/;
const SQLSTATE = /^[0-9A-Z]{5}$/;
/** Node's socket errors. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
]);
/** What pg, ioredis and kafkajs say when a connection is gone or slow (they do not all set a code). */
const CONNECTION_MESSAGE =
  /connect|connection|terminat|timeout|timed out|socket|closed|stream isn't writeable|max retries per request|broker/i;

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A failure that trying again later can cure: a store or the broker unreachable, busy, misconfigured for now, or racing us. */
export function isTransient(err: unknown, depth = 0): boolean {
  // Our own errors say for themselves (their messages may quote user data: never read them for words).
  if (err instanceof PulseError) return err.retriable;
  const code = codeOf(err);
  if (code !== undefined) {
    if (SOCKET_CODES.has(code)) return true;
    if (SQLSTATE.test(code)) return !DATA_SQLSTATE.test(code);
  }
  const cause = (err as { cause?: unknown } | null)?.cause;
  if (cause !== undefined && cause !== err && depth < 8 && isTransient(cause, depth + 1)) return true;
  return err instanceof Error && CONNECTION_MESSAGE.test(err.message);
}

/** Postgres refused a value or a statement: the same input fails the same way again. */
export function isDataError(err: unknown): boolean {
  const code = codeOf(err);
  return code !== undefined && DATA_SQLSTATE.test(code);
}

/** The dead letter's reason, message and field (when Postgres names a column) for a record no attempt could store. */
export function unprocessable(error: unknown): { reason: string; message: string; field?: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (isDataError(error)) {
    // COPY names the column in `where` ("COPY event_log, line 1, column content_id: …"); INSERT in `column`.
    const e = error as { column?: unknown; where?: unknown };
    const column =
      typeof e.column === 'string'
        ? e.column
        : typeof e.where === 'string'
          ? /column (\w+)/.exec(e.where)?.[1]
          : undefined;
    return {
      reason: 'storage_rejected',
      message: `the event log refused the event: ${message}`,
      ...(column ? { field: column } : {}),
    };
  }
  return { reason: 'processing_failed', message: `the event failed on every attempt, alone: ${message}` };
}
