// Latency samples and the HTTP plumbing of the read benchmark.
import http from 'node:http';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

/** k distinct items drawn uniformly at random (a partial Fisher-Yates shuffle of a copy). */
export function pick<T>(items: readonly T[], k: number): T[] {
  const copy = [...items];
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(Math.random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, k);
}

/** Nearest-rank percentile of sorted samples (ms). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface LatencySummary {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    mean,
  };
}

/**
 * Server-side time of each HTTP request: from Node's 'request' event (headers parsed) to the
 * response's 'finish' (last byte handed to the socket). Registered ahead of the app's own listener,
 * so routing, body parsing, the handler and JSON serialisation are all inside; the client and the
 * loopback hop are not.
 */
export class ServerTimer {
  private samples: number[] = [];
  private readonly listener = (_req: http.IncomingMessage, res: http.ServerResponse) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => this.samples.push(Number(process.hrtime.bigint() - started) / 1e6));
  };

  constructor(private readonly server: http.Server) {
    server.prependListener('request', this.listener);
  }

  /** Samples since the last take. */
  take(): number[] {
    const s = this.samples;
    this.samples = [];
    return s;
  }

  detach(): void {
    this.server.removeListener('request', this.listener);
  }
}

export interface HttpResult {
  readonly status: number;
  readonly body: string;
  readonly ms: number;
}

/** One request over a keep-alive agent; `ms` is the client-side round trip up to the last body byte. */
export function request(
  agent: http.Agent,
  port: number,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<HttpResult> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: Number(process.hrtime.bigint() - started) / 1e6,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export interface GcPauses {
  readonly count: number;
  readonly scavenges: number;
  readonly totalMs: number;
  readonly maxMs: number;
}

/** The service process's garbage-collection pauses from construction to stop(): how much of a latency tail GC explains. */
export class GcWatch {
  private readonly pauses: { kind: number; ms: number }[] = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[])
      this.pauses.push({ kind: e.detail?.kind ?? 0, ms: e.duration });
  });

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  stop(): GcPauses {
    this.observer.disconnect();
    const ms = this.pauses.map((p) => p.ms);
    return {
      count: ms.length,
      scavenges: this.pauses.filter((p) => p.kind === constants.NODE_PERFORMANCE_GC_MINOR).length,
      totalMs: ms.reduce((a, b) => a + b, 0),
      maxMs: ms.length ? Math.max(...ms) : 0,
    };
  }
}
