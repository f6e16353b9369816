import { execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { formatStatuses, serviceStatuses, statusesHealthy, statusTargets } from './status.command';

const root = path.resolve(__dirname, '../../../..');

/** A stand-in service answering /health the way Terminus does, with `status` as its HTTP status. */
async function healthServer(status: number, details: Record<string, unknown>): Promise<{ url: string; close(): void }> {
  const server = http.createServer((req, res) => {
    if (req.url !== '/health') return void res.writeHead(404).end();
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: status === 200 ? 'ok' : 'error', details }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

/** A port nothing listens on: bound, then released. */
async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'dist/apps/cli/main.js'), 'status', ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('pulse status', () => {
  const servers: { close(): void }[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  it('targets the five services on their fixed ports unless a URL is given', () => {
    expect(statusTargets('localhost', ['inference-service=http://10.0.0.5:9000'])).toEqual([
      { name: 'feature-service', url: 'http://localhost:3001' },
      { name: 'training-service', url: 'http://localhost:3002' },
      { name: 'inference-service', url: 'http://10.0.0.5:9000' },
      { name: 'experiment-service', url: 'http://localhost:3004' },
      { name: 'monitoring-service', url: 'http://localhost:3005' },
    ]);
  });

  it("reports each service's checks, a failing check, and the services nothing answers for", async () => {
    const healthy = await healthServer(200, { postgres: { status: 'up' }, ingest: { status: 'up' } });
    const failing = await healthServer(503, { redis: { status: 'down', message: 'connect ECONNREFUSED' } });
    servers.push(healthy, failing);
    const closed = await closedPortUrl();
    const statuses = await serviceStatuses(
      [
        { name: 'feature-service', url: healthy.url },
        { name: 'training-service', url: failing.url },
        { name: 'inference-service', url: closed },
      ],
      2000,
    );
    expect(statuses.map((s) => s.state)).toEqual(['up', 'down', 'unreachable']);
    expect(statuses[0].checks).toEqual([
      { name: 'postgres', status: 'up' },
      { name: 'ingest', status: 'up' },
    ]);
    expect(statuses[1].checks).toEqual([{ name: 'redis', status: 'down', detail: 'connect ECONNREFUSED' }]);
    expect(statuses[2].error).toBe('connection refused');
    expect(statusesHealthy(statuses)).toBe(false);
    expect(statusesHealthy([statuses[0], statuses[2]])).toBe(true);
    expect(statusesHealthy([statuses[2]])).toBe(false);
    expect(formatStatuses(statuses).split('\n')[1]).toMatch(
      /^training-service +http:\S+ +down +HTTP 503; redis down \(connect ECONNREFUSED\)$/,
    );
  });

  describe('the command', () => {
    beforeAll(() => execFileSync(process.execPath, [path.join(root, 'tools/build.mjs')], { cwd: root, stdio: 'pipe' }));

    it('exits 0 when every service that answers is healthy, printing one line per service', async () => {
      const healthy = await healthServer(200, { ingest: { status: 'up' } });
      servers.push(healthy);
      const closed = await closedPortUrl();
      const host = new URL(closed).hostname;
      const port = new URL(closed).port;
      // Every other service is pointed at the closed port so nothing on this machine answers for it.
      const others = ['training-service', 'inference-service', 'experiment-service', 'monitoring-service'].map(
        (name) => `--url=${name}=http://${host}:${port}`,
      );
      const r = await runCli([`--url=feature-service=${healthy.url}`, ...others]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(5);
      expect(lines[0]).toMatch(/^feature-service +http:\S+ +up +ingest up$/);
      expect(lines.slice(1).every((l) => /unreachable +connection refused$/.test(l))).toBe(true);
    });

    it('exits 1 when nothing answers, and refuses an unknown service by name', async () => {
      const closed = await closedPortUrl();
      const args = [
        'feature-service',
        'training-service',
        'inference-service',
        'experiment-service',
        'monitoring-service',
      ].map((name) => `--url=${name}=${closed}`);
      const r = await runCli([...args, '--json']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).map((s: { state: string }) => s.state)).toEqual(Array(5).fill('unreachable'));
      const bad = await runCli(['--url=billing-service=http://x:1']);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('unknown service "billing-service"');
    });
  });
});
