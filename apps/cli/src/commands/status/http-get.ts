/** A GET's outcome: the answer (any status), or why none came in time. */
export type HttpAnswer =
  | { readonly ok: true; readonly status: number; readonly text: string }
  | { readonly ok: false; readonly error: string };

/**
 * GET `url`, waiting at most `timeoutMs` for the whole answer (headers and body): a service that
 * accepts the connection and then says nothing costs the timeout, never a hang.
 */
export async function httpGet(url: string, timeoutMs: number): Promise<HttpAnswer> {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new RangeError(`timeoutMs: expected a positive number of milliseconds, got ${timeoutMs}`);
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { ok: true, status: response.status, text: await response.text() };
  } catch (err) {
    return { ok: false, error: reachError(err) };
  }
}

/** The answer's body as JSON, or undefined when it is not JSON. */
export function jsonBody(answer: { readonly text: string }): unknown {
  try {
    return JSON.parse(answer.text);
  } catch {
    return undefined;
  }
}

/** Why a request got no answer, in a few words. */
export function reachError(err: unknown): string {
  // Duck-typed: fetch's errors may come from another realm (e.g. under a test runner's VM context).
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (e.name === 'TimeoutError') return 'no answer in time';
  if (e.cause?.code === 'ECONNREFUSED') return 'connection refused';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}
