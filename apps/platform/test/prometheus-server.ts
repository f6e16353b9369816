import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One job of deploy/prometheus/prometheus.yml: its name and metrics path. */
export interface ScrapeJob {
  readonly job: string;
  readonly metricsPath: string;
}

/** A scrape job pointed at a running service. */
export interface ScrapeTarget extends ScrapeJob {
  /** host:port */
  readonly address: string;
}

/** The jobs and rule files a Prometheus configuration declares (read from its text: the file is flat). */
export function readScrapeConfig(text: string): { jobs: ScrapeJob[]; ruleFiles: string[] } {
  const jobs = [...text.matchAll(/- job_name:\s*(\S+)\n((?:\s{4,}.*\n?)*)/g)].map(([, job, body]) => ({
    job,
    metricsPath: /metrics_path:\s*(\S+)/.exec(body)?.[1] ?? '/metrics',
  }));
  const ruleBlock = /^rule_files:\n((?:\s+- .*\n?)+)/m.exec(text)?.[1] ?? '';
  const ruleFiles = [...ruleBlock.matchAll(/-\s*(\S+)/g)].map(([, file]) => file);
  return { jobs, ruleFiles };
}

/** A Prometheus configuration scraping the targets every `intervalS` seconds and loading the rule files. */
export function prometheusConfig(
  targets: readonly ScrapeTarget[],
  ruleFiles: readonly string[],
  intervalS = 1,
): string {
  const lines = [
    'global:',
    `  scrape_interval: ${intervalS}s`,
    `  scrape_timeout: ${intervalS}s`,
    `  evaluation_interval: ${intervalS}s`,
    'rule_files:',
    ...ruleFiles.map((f) => `  - ${JSON.stringify(f)}`),
    'scrape_configs:',
    ...targets.flatMap((t) => [
      `  - job_name: ${t.job}`,
      `    metrics_path: ${t.metricsPath}`,
      '    static_configs:',
      `      - targets: ['${t.address}']`,
    ]),
  ];
  return `${lines.join('\n')}\n`;
}

/** A port nothing listens on now (Prometheus takes it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Sample {
  readonly metric: Record<string, string>;
  /** As Prometheus writes it: a decimal, "NaN", "+Inf" or "-Inf". */
  readonly value: string;
}

export interface PrometheusServer {
  readonly url: string;
  /** An instant query at now; throws on a query Prometheus refuses (naming the query and its error). */
  query(expr: string): Promise<Sample[]>;
  /** GET an API path (e.g. /api/v1/targets) and return its `data`. */
  api<T>(path: string): Promise<T>;
  /** What Prometheus wrote to stderr so far (its log). */
  log(): string;
  /** SIGTERM, then SIGKILL if it has not exited within 10 s; removes its storage. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the `prometheus` binary on a free local port with the configuration and a throwaway TSDB,
 * and resolves once it answers /-/ready.
 */
export async function startPrometheus(config: string, binary = 'prometheus'): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let stderr = '';
  let failed = false;
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (err) => {
      failed = true;
      stderr += String(err);
      resolve(-1);
    });
  });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    })());

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error ?? res.status}`);
    return body.data;
  };

  // Ready within 30 s, or its log says why not.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null || failed) {
      await stop();
      throw new Error(`prometheus exited before it was ready:\n${stderr}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready within 30 s:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    api,
    query: async (expr) => {
      const res = await fetch(`${url}/api/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: expr }).toString(),
      });
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      if (body.status !== 'success') throw new Error(`Prometheus refused ${expr}: ${body.error}`);
      const { resultType, result } = body.data!;
      // A scalar (e.g. a bare number) is one value; vectors are what panels query.
      if (resultType === 'scalar') {
        const [, value] = result as unknown as [number, string];
        return [{ metric: {}, value }];
      }
      return result.map((r) => ({ metric: r.metric, value: r.value[1] }));
    },
    log: () => stderr,
    stop,
  };
}
