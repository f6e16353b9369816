// POST /v1/predict/{model} at a fixed pace, open loop: each request leaves at its scheduled time whether
// or not the earlier ones are answered (a slow answer cannot hold the next requests back and hide itself).
import http from 'node:http';
import { CHANNELS } from '@pulse/contracts';
import { latencies, sleep, type Latencies } from './bench-support';
import { delta, histogram, scrape, total, type Histogram } from './service-metrics';

export interface HttpPhaseResult {
  readonly requests: number;
  readonly failed: number;
  readonly firstFailure?: string;
  readonly seconds: number;
  /** Send to the last byte of the answer, in this process (ms). */
  readonly client: Latencies;
  /** The service's own time for each answer: request parsed to prediction ready (the prediction's latencyMs). */
  readonly handler: Latencies;
  /** pulse_http_request_duration_seconds of the route over the phase: arrival to the response written. */
  readonly serverHistogram: Histogram;
  /** pulse_inference_latency_seconds{path="http"} over the phase. */
  readonly inferenceHistogram: Histogram;
  /** Feature rows the service read from the online state / replayed, over the phase. */
  readonly reads: { readonly online: number; readonly offline: number };
  /** How late requests left against their schedule, p99 (ms): the client keeping its pace. */
  readonly sendLagP99: number;
  readonly fallbacks: number;
}

interface Answer {
  readonly status: number;
  readonly ms: number;
  readonly body: string;
}

function post(agent: http.Agent, port: number, path: string, payload: Buffer): Promise<Answer> {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        agent,
        headers: { 'content-type': 'application/json', 'content-length': payload.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            ms: performance.now() - started,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', (err) => resolve({ status: 0, ms: performance.now() - started, body: err.message }));
    req.end(payload);
  });
}

/** Request bodies: a learner with an online state, a channel and a content id, as a send would give. */
function bodies(learners: readonly string[], n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) =>
    Buffer.from(
      JSON.stringify({
        entityId: learners[(i * 7919) % learners.length],
        context: { channel: CHANNELS[i % CHANNELS.length], content_id: `bench-lesson-${i % 40}` },
      }),
    ),
  );
}

async function paced(
  agent: http.Agent,
  port: number,
  path: string,
  payloads: readonly Buffer[],
  rate: number,
): Promise<{ answers: Answer[]; lags: number[]; seconds: number }> {
  const answers: Promise<Answer>[] = [];
  const lags: number[] = [];
  const t0 = performance.now();
  while (answers.length < payloads.length) {
    const due = Math.min(payloads.length, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
    while (answers.length < due) {
      const i = answers.length;
      lags.push(performance.now() - (t0 + (i * 1000) / rate));
      answers.push(post(agent, port, path, payloads[i]));
    }
    await sleep(1);
  }
  const settled = await Promise.all(answers);
  return { answers: settled, lags, seconds: (performance.now() - t0) / 1000 };
}

export async function httpPhase(options: {
  readonly url: string;
  readonly model: string;
  readonly learners: readonly string[];
  readonly rate: number;
  readonly seconds: number;
  readonly warmupRequests: number;
}): Promise<HttpPhaseResult> {
  const port = Number(new URL(options.url).port);
  const path = `/v1/predict/${options.model}`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  try {
    await paced(agent, port, path, bodies(options.learners, options.warmupRequests), options.rate);
    const n = Math.round(options.rate * options.seconds);
    const payloads = bodies(options.learners, n);
    const before = await scrape(options.url);
    const run = await paced(agent, port, path, payloads, options.rate);
    // The histograms are written after the last byte: let the last answers' observations land.
    await sleep(200);
    const after = await scrape(options.url);
    const ok = run.answers.filter((a) => a.status === 200);
    const failed = run.answers.filter((a) => a.status !== 200);
    const parsed = ok.map((a) => JSON.parse(a.body) as { latencyMs: number; fallback: boolean });
    const route = { method: 'POST', route: '/v1/predict/:model', status: '200' };
    const inference = { model: options.model, path: 'http' };
    return {
      requests: run.answers.length,
      failed: failed.length,
      ...(failed.length > 0 ? { firstFailure: `HTTP ${failed[0].status} ${failed[0].body.slice(0, 200)}` } : {}),
      seconds: run.seconds,
      client: latencies(ok.map((a) => a.ms)),
      handler: latencies(parsed.map((p) => p.latencyMs)),
      serverHistogram: delta(
        histogram(before, 'pulse_http_request_duration_seconds', route),
        histogram(after, 'pulse_http_request_duration_seconds', route),
      ),
      inferenceHistogram: delta(
        histogram(before, 'pulse_inference_latency_seconds', inference),
        histogram(after, 'pulse_inference_latency_seconds', inference),
      ),
      reads: {
        online:
          total(after, 'pulse_inference_feature_reads_total', { path: 'online' }) -
          total(before, 'pulse_inference_feature_reads_total', { path: 'online' }),
        offline:
          total(after, 'pulse_inference_feature_reads_total', { path: 'offline' }) -
          total(before, 'pulse_inference_feature_reads_total', { path: 'offline' }),
      },
      sendLagP99: latencies(run.lags).p99,
      fallbacks: parsed.filter((p) => p.fallback).length,
    };
  } finally {
    agent.destroy();
  }
}
