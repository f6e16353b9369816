/**
 * Runs `fn` and reports how long it took, in seconds, and whether it returned (true) or threw (false);
 * its result or error passes through. The one timing wrapper: metric helpers and repositories that
 * report their own durations build on it.
 */
export async function timeCall<T>(
  fn: () => T | Promise<T>,
  observe: (seconds: number, ok: boolean) => void,
): Promise<T> {
  const start = process.hrtime.bigint();
  let ok = false;
  try {
    const result = await fn();
    ok = true;
    return result;
  } finally {
    observe(Number(process.hrtime.bigint() - start) / 1e9, ok);
  }
}
