// More copies of feature-service in the same consumer group, each in its own process (the SPEC's
// scale-out: partitions spread over service copies, Redis and Postgres shared). A Node process runs
// its handlers on one thread, so on a 2-core machine a second copy is how the service uses the
// second core. The copies are the built service (dist/apps/feature-service/main.js) with the same
// environment as the one in the bench's process; their progress is read from their /metrics.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { waitFor } from '@pulse/testing';
import { processCpuSeconds } from './bench-resources';

export interface ExtraInstance {
  readonly pid: number;
  readonly port: number;
  readonly child: ChildProcess;
  /** The last lines it printed (for a failure report). */
  output(): string;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startExtraInstances(
  count: number,
  env: Record<string, string>,
  processes: { killOnExit(pid: number): void; forget(pid: number): void },
): Promise<ExtraInstance[]> {
  const main = path.resolve(__dirname, '..', 'main.js');
  const started: ExtraInstance[] = [];
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const keep = (c: Buffer) => (out = (out + c.toString()).slice(-4000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    processes.killOnExit(child.pid!);
    child.once('exit', () => processes.forget(child.pid!));
    started.push({ pid: child.pid!, port, child, output: () => out });
  }
  for (const s of started) {
    await waitFor(
      async () => {
        if (s.child.exitCode !== null)
          throw new Error(`extra feature-service instance exited with ${s.child.exitCode}: ${s.output()}`);
        return (await consumedBy(s).catch(() => undefined)) !== undefined;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 200,
        message: `extra feature-service instance on port ${s.port} serving /metrics`,
      },
    );
  }
  return started;
}

/** Events the instance has made durable (its pulse_events_consumed_total, all sources). */
export async function consumedBy(instance: ExtraInstance): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${instance.port}/metrics`);
  if (!res.ok) throw new Error(`GET /metrics answered ${res.status}`);
  let total = 0;
  for (const line of (await res.text()).split('\n')) {
    if (line.startsWith('pulse_events_consumed_total')) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

export function cpuSecondsOfInstances(instances: readonly ExtraInstance[]): number {
  return instances.reduce((a, s) => a + (processCpuSeconds(s.pid) ?? 0), 0);
}

/** SIGTERM (the service finishes the batch in hand and commits), then waits for the exit. */
export async function stopExtraInstances(instances: readonly ExtraInstance[]): Promise<void> {
  await Promise.all(
    instances.map(async (s) => {
      if (s.child.exitCode !== null) return;
      const exited = new Promise((resolve) => s.child.once('exit', resolve));
      s.child.kill('SIGTERM');
      const timer = setTimeout(() => s.child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}
