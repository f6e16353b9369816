export type BusLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The little the bus needs from a logger; adapters wrap the platform's structured logger. */
export interface BusLogger {
  log(level: BusLogLevel, message: string, fields?: Record<string, unknown>): void;
}

export const silentBusLogger: BusLogger = { log: () => undefined };

const rank: Record<BusLogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** One JSON line per record on stderr, at `minLevel` and above (default warn). */
export function consoleBusLogger(minLevel: BusLogLevel = 'warn'): BusLogger {
  return {
    log(level, message, fields) {
      if (rank[level] < rank[minLevel]) return;
      process.stderr.write(
        `${JSON.stringify({ time: new Date().toISOString(), level, component: 'bus', message, ...fields })}\n`,
      );
    },
  };
}
