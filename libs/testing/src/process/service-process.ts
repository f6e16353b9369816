import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../wait/wait-for';

/** The repository root (this file is libs/testing/src/process/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

/** An app's built entry point, dist/apps/<app>/main.js (built by `npm test`'s pretest, or `node tools/build.mjs`). */
export function builtAppMain(app: string): string {
  return path.join(REPO_ROOT, 'dist', 'apps', app, 'main.js');
}

/** Child processes of this test process that may still run: killed on exit, whatever ends the test. */
const running = new Set<ChildProcess>();
let exitHook = false;
function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const c of running) {
        try {
          c.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
    });
  }
}

/**
 * Preloaded into every child: kills it when this test process is gone (a Jest worker killed with
 * SIGKILL runs no exit handler), so no service outlives the run.
 */
const WATCHDOG = `'use strict';
const parent = Number(process.env.PULSE_FAULT_PARENT_PID);
if (parent > 0) {
  setInterval(() => {
    try { process.kill(parent, 0); } catch { process.kill(process.pid, 'SIGKILL'); }
  }, 500).unref();
}
`;
function watchdogPath(): string {
  const file = path.join(os.tmpdir(), `pulse-fault-watchdog-${process.pid}.js`);
  if (!fs.existsSync(file)) fs.writeFileSync(file, WATCHDOG);
  return file;
}

/**
 * Makes sure `main` (a built entry point in dist/) is there and the build not older than the sources it
 * is built from: runs the incremental build (tools/build.mjs) when a source is newer than its output,
 * under a lock so that parallel Jest workers do not write the same files at once. Checked once per
 * test process and entry point: every restart of a test runs the same build.
 */
export function ensureBuilt(main: string): Promise<string> {
  let built = builds.get(main);
  if (built === undefined) {
    built = buildIfStale(main);
    builds.set(main, built);
  }
  return built;
}
const builds = new Map<string, Promise<string>>();

async function buildIfStale(main: string): Promise<string> {
  if (fs.existsSync(main) && staleSources().length === 0) return main;
  const lock = path.join(os.tmpdir(), `pulse-fault-build-${Buffer.from(REPO_ROOT).toString('hex').slice(-24)}.lock`);
  await waitFor(
    () => {
      try {
        fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
        return true;
      } catch {
        // A lock left by a dead process is taken over.
        const holder = Number(fs.readFileSync(lock, 'utf8'));
        if (!(holder > 0) || !isAlive(holder)) fs.rmSync(lock, { force: true });
        return false;
      }
    },
    { timeoutMs: 180_000, intervalMs: 100, message: 'the build lock' },
  );
  try {
    if (!fs.existsSync(main) || staleSources().length > 0) {
      const built = spawnSync(process.execPath, [path.join(REPO_ROOT, 'tools', 'build.mjs')], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      });
      if (built.status !== 0)
        throw new Error(`node tools/build.mjs failed (${built.status}): ${built.stderr || built.stdout}`);
    }
  } finally {
    fs.rmSync(lock, { force: true });
  }
  if (!fs.existsSync(main)) throw new Error(`${main} is missing after the build`);
  return main;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sources (apps/*\/src, libs/*\/src, not specs) newer than their dist output, as tools/build.mjs decides. */
function staleSources(): string[] {
  const stale: string[] = [];
  for (const kind of ['apps', 'libs']) {
    const base = path.join(REPO_ROOT, kind);
    for (const name of fs.readdirSync(base)) {
      const src = path.join(base, name, 'src');
      for (const file of walk(src)) {
        const out = path.join(
          REPO_ROOT,
          'dist',
          path
            .relative(REPO_ROOT, file)
            .replace(/\/src\//, '/')
            .replace(/\.ts$/, '.js'),
        );
        if (!fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(file).mtimeMs) stale.push(file);
      }
    }
  }
  return stale;
}

function* walk(dir: string): Generator<string> {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'test') yield* walk(full);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts')) {
      yield full;
    }
  }
}

/** A TCP port free now on 127.0.0.1 (the service then listens on it; it keeps it across restarts). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface ServiceEvent {
  readonly atMs: number;
  readonly what: 'start' | 'ready' | 'kill -9' | 'exit' | 'stop';
  readonly generation: number;
  readonly detail?: string;
}

/**
 * A built service (`node dist/apps/<name>/main.js`, or the entry `main` resolves to) as a child process
 * with the given environment, on a fixed port: started, killed with SIGKILL, restarted. Its output is
 * kept (the last lines, for failure messages; PULSE_FAULT_VERBOSE=1 echoes it).
 */
export class ServiceProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private generation = 0;
  private readonly lines: string[] = [];
  readonly events: ServiceEvent[] = [];

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Readonly<Record<string, string>>,
    /** The built entry point to run, made sure of before each start. */
    private readonly main: () => Promise<string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** How many times it was killed with SIGKILL. */
  get kills(): number {
    return this.events.filter((e) => e.what === 'kill -9').length;
  }

  /** The last lines the service printed (stdout and stderr), for failure messages. */
  logTail(n = 40): string {
    return this.lines.slice(-n).join('\n');
  }

  /** Lines printed so far that match `pattern`. */
  logLines(pattern: RegExp): string[] {
    return this.lines.filter((l) => pattern.test(l));
  }

  /** Spawns the service; with `ready` (default) resolves once GET /health/live answers 200. */
  async start(options: { ready?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.child!.pid})`);
    const main = await this.main();
    const generation = ++this.generation;
    const child = spawn(process.execPath, ['--require', watchdogPath(), main], {
      cwd: REPO_ROOT,
      env: { ...this.env, PORT: String(this.port), PULSE_FAULT_PARENT_PID: String(process.pid) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(child);
    this.child = child;
    this.record('start', generation, `pid ${child.pid}`);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.record('exit', generation, signal ?? `code ${code}`);
        resolve();
      });
    });
    for (const stream of [child.stdout!, child.stderr!]) {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        pending += chunk;
        const parts = pending.split('\n');
        pending = parts.pop()!;
        for (const line of parts) this.line(generation, line);
      });
      stream.on('end', () => pending && this.line(generation, pending));
    }
    if (options.ready === false) return;
    await this.waitReady(options.timeoutMs ?? 90_000);
  }

  /** Until GET /health/live answers 200; fails at once (with the service's output) if the process exits. */
  async waitReady(timeoutMs = 90_000): Promise<void> {
    const child = this.child;
    const generation = this.generation;
    const gone = () => child === null || child.exitCode !== null || child.signalCode !== null;
    let outcome: 'ready' | 'exited';
    try {
      outcome = await waitFor(
        async () => {
          if (gone()) return 'exited' as const;
          const res = await fetch(`${this.url}/health/live`, { signal: AbortSignal.timeout(2000) });
          await res.arrayBuffer();
          return res.status === 200 ? ('ready' as const) : null;
        },
        { timeoutMs, intervalMs: 100, message: `${this.name} (generation ${generation}) answering /health/live` },
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- ${this.name} output ---\n${this.logTail()}`);
    }
    if (outcome === 'exited')
      throw new Error(
        `${this.name} (generation ${generation}) exited while starting\n--- output ---\n${this.logTail()}`,
      );
    this.record('ready', generation);
  }

  /** SIGKILL: no shutdown hook, no commit, no flush. Resolves once the process is gone. */
  async kill9(detail?: string): Promise<void> {
    if (!this.child) return;
    this.record('kill -9', this.generation, detail);
    try {
      this.child.kill('SIGKILL');
    } catch {
      // already gone
    }
    await this.exited;
    this.child = null;
  }

  /** SIGTERM (graceful shutdown), SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.record('stop', this.generation);
    if (this.running) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    this.child = null;
  }

  private record(what: ServiceEvent['what'], generation: number, detail?: string): void {
    this.events.push({ atMs: Date.now(), what, generation, ...(detail === undefined ? {} : { detail }) });
    if (process.env.PULSE_FAULT_VERBOSE)
      console.log(`[${this.name}#${generation}] ${what}${detail ? ` ${detail}` : ''}`);
  }

  private line(generation: number, line: string): void {
    const tagged = `[#${generation}] ${line}`;
    this.lines.push(tagged);
    if (this.lines.length > 2000) this.lines.splice(0, this.lines.length - 1500);
    if (process.env.PULSE_FAULT_VERBOSE) console.log(`[${this.name}]${tagged}`);
  }
}
