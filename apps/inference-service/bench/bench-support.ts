// The benchmark's plumbing: options, cleanup on every way out, latency statistics, CPU readings, formatting.
import fs from 'node:fs';
import os from 'node:os';

/** `--name N` or `--name=N` from argv, a number of at least `min` (default: positive); the default otherwise. */
export function numberOption(name: string, fallback: number, min = Number.MIN_VALUE): number {
  const at = process.argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (at === -1) return fallback;
  const raw = process.argv[at].includes('=') ? process.argv[at].split('=')[1] : process.argv[at + 1];
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min)
    throw new RangeError(
      `--${name} wants a number ${min === Number.MIN_VALUE ? 'above 0' : `of at least ${min}`}, got ${raw}`,
    );
  return value;
}

/** `--name 1,2,3` (or `--name=`), positive numbers; `--name none` for none; the default otherwise. */
export function listOption(name: string, fallback: number[]): number[] {
  const at = process.argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (at === -1) return fallback;
  const raw = process.argv[at].includes('=') ? process.argv[at].split('=')[1] : process.argv[at + 1];
  if (raw === 'none') return [];
  const values = raw.split(',').map(Number);
  if (values.some((v) => !Number.isFinite(v) || v <= 0))
    throw new RangeError(`--${name} wants positive numbers separated by commas (or none), got ${raw}`);
  return values;
}

export const flag = (name: string): boolean => process.argv.includes(`--${name}`);

/** The 1-minute load average: the machine is shared, so every figure is printed with it. */
export function load(): string {
  return `load ${os.loadavg()[0].toFixed(2)}`;
}

export const int = (n: number): string => Math.round(n).toLocaleString('en-US');
export const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** Cleanup steps, run in reverse order at the end, on an error, and on SIGINT / SIGTERM. */
export class Cleanup {
  private readonly steps: { name: string; run: () => unknown }[] = [];
  private running: Promise<void> | undefined;

  constructor() {
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      process.on(signal, () => {
        if (this.running) return;
        console.error(`\n${signal}: cleaning up`);
        void this.run().finally(() => process.exit(code));
      });
    }
  }

  add(name: string, run: () => unknown): void {
    this.steps.push({ name, run });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step.run();
        } catch (error) {
          console.error(`cleanup: ${step.name} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })();
    return this.running;
  }
}

export interface Latencies {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentiles of samples (any unit). */
export function latencies(samples: readonly number[]): Latencies {
  const s = Float64Array.from(samples).sort();
  const at = (p: number) =>
    s.length === 0 ? NaN : s[Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length))) - 1];
  let sum = 0;
  for (const x of s) sum += x;
  return {
    n: s.length,
    p50: at(50),
    p99: at(99),
    max: s.length ? s[s.length - 1] : NaN,
    mean: sum / Math.max(1, s.length),
  };
}

export const describeMs = (l: Latencies): string =>
  `p50 ${ms(l.p50)} ms, p99 ${ms(l.p99)} ms, max ${ms(l.max)} ms (n=${int(l.n)})`;

/** CPU seconds (user + system) a process has used so far, from /proc; undefined when unreadable. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** CPU seconds so far of each thread of a process, by thread id, with the thread's name; empty when unreadable. */
export function threadCpuSeconds(pid: number | undefined): Map<number, { name: string; seconds: number }> {
  const out = new Map<number, { name: string; seconds: number }>();
  if (pid === undefined) return out;
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), { name, seconds: (Number(fields[11]) + Number(fields[12])) / 100 });
    }
  } catch {
    // the process or a thread is gone
  }
  return out;
}

/** A process's threads over a phase: "main 0.61, threads named X 0.55 (2), …" in cores, the busiest first. */
export class ThreadMeter {
  private before = new Map<number, { name: string; seconds: number }>();
  private t0 = performance.now();

  constructor(private readonly pid: () => number | undefined) {}

  begin(): void {
    this.before = threadCpuSeconds(this.pid());
    this.t0 = performance.now();
  }

  end(): string {
    const wall = (performance.now() - this.t0) / 1000;
    const pid = this.pid();
    const byName = new Map<string, { seconds: number; threads: number }>();
    for (const [tid, t] of threadCpuSeconds(pid)) {
      const used = t.seconds - (this.before.get(tid)?.seconds ?? 0);
      const name = tid === pid ? 'main thread' : t.name;
      const entry = byName.get(name) ?? { seconds: 0, threads: 0 };
      byName.set(name, { seconds: entry.seconds + used, threads: entry.threads + 1 });
    }
    return [...byName]
      .filter(([, v]) => v.seconds > 0)
      .sort((a, b) => b[1].seconds - a[1].seconds)
      .map(([name, v]) => `${name} ${(v.seconds / wall).toFixed(2)}${v.threads > 1 ? ` (${v.threads} threads)` : ''}`)
      .join(', ');
  }
}

/** CPU of named processes over a phase, as cores used (CPU seconds / wall seconds). */
export class CpuMeter {
  private readonly start = new Map<string, number | undefined>();
  private t0 = performance.now();

  constructor(private readonly pids: () => Record<string, number | undefined>) {}

  begin(): void {
    this.t0 = performance.now();
    for (const [name, pid] of Object.entries(this.pids())) this.start.set(name, processCpuSeconds(pid));
  }

  /** e.g. "feature-service 0.62, inference-service 0.81, bench 0.20 cores". */
  end(): string {
    const wall = (performance.now() - this.t0) / 1000;
    const parts: string[] = [];
    for (const [name, pid] of Object.entries(this.pids())) {
      const a = this.start.get(name);
      const b = processCpuSeconds(pid);
      if (a !== undefined && b !== undefined) parts.push(`${name} ${((b - a) / wall).toFixed(2)}`);
    }
    return parts.length === 0 ? 'CPU unknown' : `CPU (cores): ${parts.join(', ')}`;
  }
}

export const sleep = (msToWait: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, msToWait));

/** Prints a table with a header row, columns padded. */
export function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  console.log(line(rows[0]));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows.slice(1)) console.log(line(r));
}
