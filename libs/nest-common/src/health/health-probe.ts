import { timeCall } from '@pulse/core';
import type { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';

/** Default time a dependency gets to answer before it is reported down. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 1000;

export interface ProbeOptions {
  /** Report down when the probe has not answered within this many ms. Default 1000. */
  readonly timeoutMs?: number;
}

/**
 * Runs `probe` against a deadline and turns the outcome into a Terminus result: up with the
 * round-trip time, or down with the error's message. A hung dependency therefore costs /health at
 * most `timeoutMs`, and /health never throws on its own.
 */
export async function probeHealth(
  indicators: HealthIndicatorService,
  key: string,
  probe: () => Promise<unknown>,
  options: ProbeOptions = {},
): Promise<HealthIndicatorResult> {
  const session = indicators.check(key);
  const timeoutMs = options.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
  let latencyMs = 0;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      timeCall(probe, (seconds) => (latencyMs = seconds * 1000)),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return session.up({ latencyMs });
  } catch (err) {
    return session.down({ message: err instanceof Error ? err.message : String(err) });
  } finally {
    clearTimeout(timer);
  }
}
