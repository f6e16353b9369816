// What the benchmark starts and must stop whatever happens: cleanup steps run in reverse order on
// success, on error and on SIGINT/SIGTERM; the broker process is also killed from the exit handler.
import fs from 'node:fs';
import Redis from 'ioredis';

export class Cleanup {
  private readonly steps: { name: string; run: () => Promise<unknown> }[] = [];
  private readonly pids = new Set<number>();
  private running: Promise<void> | null = null;

  constructor() {
    process.on('exit', () => {
      for (const pid of this.pids) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // Already gone.
        }
      }
    });
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      // `on`, not `once`: a repeated signal must not fall through to the default (exit without cleanup).
      process.on(signal, () => {
        if (this.running) return;
        console.error(`\n${signal}: cleaning up`);
        void this.run().finally(() => process.exit(code));
      });
    }
  }

  add(name: string, run: () => Promise<unknown>): void {
    this.steps.push({ name, run });
  }

  /** A child process to SIGTERM when this process exits, however it exits. */
  killOnExit(pid: number): void {
    this.pids.add(pid);
  }

  /** The child has exited and been reaped: its pid may be reused, so never signal it again. */
  forget(pid: number): void {
    this.pids.delete(pid);
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await withTimeout(step.run(), 15_000, step.name);
        } catch (error) {
          console.error(`cleanup: ${step.name} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })();
    return this.running;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const SHUTDOWN_SIGNALS = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGUSR2', 'SIGTERM'] as const;

/**
 * Runs `start` and removes the signal listeners it added. Nest's shutdown hooks (the service enables
 * them) close the app on SIGINT and then re-raise the signal with no listener left, which would kill
 * this process before Cleanup has dropped the database and stopped kcat; Cleanup closes the app itself.
 */
export async function withoutNewSignalListeners<T>(start: () => Promise<T>): Promise<T> {
  const before = new Map(SHUTDOWN_SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  try {
    return await start();
  } finally {
    for (const signal of SHUTDOWN_SIGNALS) {
      for (const listener of process.listeners(signal)) {
        if (!before.get(signal)!.has(listener))
          process.removeListener(signal, listener as (...args: unknown[]) => void);
      }
    }
  }
}

/**
 * SIGTERM, then SIGKILL if the process is still there after `graceMs` (the mock cluster keeps no
 * state worth a clean shutdown). Resolves when it is gone or a zombie.
 */
export async function terminate(pid: number, graceMs = 3000): Promise<'exited' | 'killed'> {
  const alive = () => {
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    const stat = readStat(pid) ?? '';
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== '' && state !== 'Z' && state !== 'X';
  };
  if (!alive()) return 'exited';
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!alive()) return 'exited';
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (alive()) process.kill(pid, 'SIGKILL');
  return 'killed';
}

function readStat(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
}

/** Deletes every key under `prefix`; returns how many. */
export async function deleteRedisKeys(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  await redis.connect();
  let deleted = 0;
  try {
    const stream = redis.scanStream({ match: `${prefix}*`, count: 1000 });
    for await (const keys of stream as AsyncIterable<string[]>) {
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    }
  } finally {
    await redis.quit();
  }
  return deleted;
}

/** CPU seconds (user + system) a process has used so far, from /proc; undefined when unreadable. */
export function processCpuSeconds(pid: number): number | undefined {
  return cpuSecondsFromStat(readStat(pid));
}

/** CPU seconds of this process's main thread (the service's event loop), without workers and GC helpers. */
export function mainThreadCpuSeconds(): number | undefined {
  try {
    return cpuSecondsFromStat(fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

function cpuSecondsFromStat(stat: string | undefined): number | undefined {
  if (stat === undefined) return undefined;
  // Fields after the command name (which may contain spaces) start after the last ')'; utime and
  // stime are the 14th and 15th of the line, in clock ticks (100 per second on Linux).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Sum of processCpuSeconds over pids (the unreadable ones skipped). */
export function cpuSecondsOf(pids: readonly number[]): number {
  return pids.reduce((a, pid) => a + (processCpuSeconds(pid) ?? 0), 0);
}

/** The machine's CPU time so far (all cores), and how much of it the hypervisor gave to others (steal), in clock ticks. */
export function machineCpuTicks(): { total: number; steal: number } | undefined {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal [guest guest_nice, already counted in user/nice]
    return { total: fields.slice(0, 8).reduce((a, b) => a + b, 0), steal: fields[7] ?? 0 };
  } catch {
    return undefined;
  }
}

/** The share of the machine's CPU time stolen by the hypervisor between two machineCpuTicks() readings. */
export function stealShare(
  before: ReturnType<typeof machineCpuTicks>,
  after: ReturnType<typeof machineCpuTicks>,
): number {
  if (before === undefined || after === undefined || after.total <= before.total) return NaN;
  return (after.steal - before.steal) / (after.total - before.total);
}

/** A positive integer setting from the environment (PULSE_BENCH_*), or the default. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${raw}`);
  return value;
}
