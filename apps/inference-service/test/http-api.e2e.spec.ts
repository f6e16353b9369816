/**
 * @jest-environment ./libs/testing/jest/native-realm.environment.js
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { learningEngagementRegistry } from '@pulse/features';
import { compileModelSpec, DEFAULT_MODELS } from '@pulse/models';
import { waitFor } from '@pulse/testing';
import type { Registry } from 'prom-client';
import { DAY_MS, InferenceHarness, simulatedEvents } from './inference-service.harness';

/**
 * The HTTP API on real infrastructure: single and batch predictions with features read online, the
 * Open Inference Protocol from a request written to its specification (curl), bad input answered 4xx
 * naming the field, hot swaps under load losing no request, corrupt versions refused while the
 * serving one keeps serving, and the fallback when the champion is deleted.
 */
const execFileAsync = promisify(execFile);
const harness = new InferenceHarness();
const MODEL = 'lesson_completion';
const compiled = compileModelSpec(DEFAULT_MODELS[MODEL], learningEngagementRegistry());
let url: string;
let metrics: Registry;
const stream = simulatedEvents(12, 20, 4, Date.now() - 5 * DAY_MS);
const sends = stream.filter((e) => e.eventType === 'lesson_sent');

async function post(path: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : JSON.parse(text) };
}

async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const m = await metrics.getSingleMetric(name)?.get();
  return (m?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, x]) => String(v.labels[k]) === x))
    .reduce((sum, v) => sum + v.value, 0);
}

beforeAll(async () => {
  await harness.setUp({ seed: 4, learners: 300, days: 30 });
  await harness.startFeatureService();
  ({ url, registry: metrics } = await harness.startInference());
  await harness.publish(stream);
  // Every send predicted on the Kafka path: feature-service has folded the stream by then.
  await waitFor(() => new Set(harness.predictions.map((p) => p.triggerEventId)).size === sends.length, {
    timeoutMs: 120_000,
    intervalMs: 200,
  });
}, 300_000);
afterAll(() => harness.tearDown(), 60_000);

describe('POST /v1/predict/{model}', () => {
  it('answers a trigger’s context as of its time with the Kafka prediction’s inputs and score', async () => {
    const send = sends[sends.length - 1];
    const res = await post(`/v1/predict/${MODEL}?explain=3`, {
      entityId: send.entityId,
      context: { channel: send.channel, content_id: send.contentId, attributes: send.attributes },
      at: new Date(send.eventTimeMs).toISOString(),
    });
    expect(res.status).toBe(200);
    const viaKafka = harness.predictions.find((p) => p.triggerEventId === send.eventId)!;
    expect(res.body).toMatchObject({
      model: MODEL,
      modelVersion: 1,
      alias: 'champion',
      variant: 'champion',
      shadow: false,
      fallback: false,
      entityId: send.entityId,
      asOfMs: send.eventTimeMs,
      riskTier: expect.stringMatching(/^(high|medium|low)$/),
    });
    expect(res.body.inputs.map((x: any) => x.name)).toEqual(compiled.featureNames);
    expect(res.body.inputs.map((x: any) => x.value)).toEqual(
      viaKafka.inputs.map((x) => (Number.isNaN(x.value) ? null : x.value)),
    );
    expect(res.body.score).toBeCloseTo(viaKafka.score, 6);
    expect(res.body.topFactors).toHaveLength(3);
    // Explanations are off by default (INFERENCE_TOP_FACTORS): their cost is asked for per request.
    expect(viaKafka.topFactors).toEqual([]);
  });

  it('fills missing context as the spec documents and answers as of now without `at`', async () => {
    const res = await post(`/v1/predict/${MODEL}`, { entityId: sends[0].entityId });
    expect(res.status).toBe(200);
    expect(Math.abs(res.body.asOfMs - Date.now())).toBeLessThan(60_000);
    const channels = res.body.inputs.filter((x: any) => x.name.startsWith('request.send_channel'));
    expect(channels.length).toBeGreaterThan(0);
    expect(channels.every((x: any) => x.value === 0)).toBe(true);
  });

  it('answers a batch in request order, and refuses bad input with a 4xx naming the field', async () => {
    const ids = [sends[0].entityId, sends[1].entityId, 'nobody-at-all'];
    const batch = await post(`/v1/predict/${MODEL}/batch`, {
      rows: ids.map((entityId) => ({ entityId })),
      context: { channel: 'email' },
    });
    expect(batch.status).toBe(200);
    expect(batch.body.predictions.map((p: any) => p.entityId)).toEqual(ids);

    const cases: [string, unknown, string][] = [
      [`/v1/predict/${MODEL}`, {}, 'entityId'],
      [`/v1/predict/${MODEL}`, { entityId: 'a', context: { channel: 'fax' } }, 'context.channel'],
      [`/v1/predict/${MODEL}`, { entityId: 'a', at: 'yesterday' }, 'at'],
      [`/v1/predict/${MODEL}`, { entityId: 'a', context: { attributes: { x: [1] } } }, 'context.attributes.x'],
      [`/v1/predict/${MODEL}`, { entityId: 'a', extra: 1 }, 'extra'],
      [`/v1/predict/${MODEL}/batch`, { rows: [{ entityId: 'a' }, { entityId: 7 }] }, 'rows[1].entityId'],
      [`/v1/predict/${MODEL}/batch`, { rows: Array.from({ length: 10_001 }, () => ({ entityId: 'a' })) }, 'rows'],
    ];
    for (const [path, body, field] of cases) {
      const res = await post(path, body);
      expect({ path, status: res.status, field: res.body.field }).toEqual({ path, status: 400, field });
    }
    expect((await post(`/v1/predict/${MODEL}`, '{"entityId":')).status).toBe(400);
    const unknown = await post('/v1/predict/churn', { entityId: 'a' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/no model named "churn"/);
  });
});

describe('Open Inference Protocol (V2)', () => {
  it('answers a request written from the protocol’s specification with curl', async () => {
    expect((await fetch(`${url}/v2/health/ready`)).status).toBe(200);
    const meta = await (await fetch(`${url}/v2/models/${MODEL}`)).json();
    expect(meta).toMatchObject({
      name: MODEL,
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, compiled.featureNames.length] }],
    });
    // Two rows: the inputs of two Kafka predictions (null for a missing value).
    const rows = harness.predictions
      .slice(0, 2)
      .map((p) => p.inputs.map((x) => (Number.isNaN(x.value) ? null : x.value)));
    const request = {
      id: 'curl-1',
      inputs: [{ name: 'input', shape: [2, compiled.featureNames.length], datatype: 'FP32', data: rows.flat() }],
    };
    const { stdout } = await execFileAsync('curl', [
      '-s',
      '-X',
      'POST',
      '-H',
      'Content-Type: application/json',
      '-d',
      JSON.stringify(request),
      `${url}/v2/models/${MODEL}/infer`,
    ]);
    const answer = JSON.parse(stdout);
    expect(answer).toMatchObject({ model_name: MODEL, model_version: '1', id: 'curl-1' });
    const probabilities = answer.outputs.find((o: any) => o.name === 'probabilities');
    expect(probabilities).toMatchObject({ datatype: 'FP32', shape: [2, 2] });
    harness.predictions.slice(0, 2).forEach((p, i) => expect(probabilities.data[i * 2 + 1]).toBeCloseTo(p.score, 6));
    const label = answer.outputs.find((o: any) => o.name === 'label');
    expect(label).toMatchObject({ datatype: 'INT64', shape: [2] });

    const wrongName = await post(`/v2/models/${MODEL}/infer`, { inputs: [{ ...request.inputs[0], name: 'x' }] });
    expect(wrongName.status).toBe(400);
    expect(wrongName.body.error).toMatch(/inputs\[0\]\.name/);
    const wrongShape = await post(`/v2/models/${MODEL}/infer`, { inputs: [{ ...request.inputs[0], shape: [2, 3] }] });
    expect(wrongShape.status).toBe(400);
    expect((await fetch(`${url}/v2/models/churn`)).status).toBe(404);
  });
});

describe('versions', () => {
  it('swaps the champion in place under 500 requests/s: no request fails or waits for the swap', async () => {
    const v2 = await harness.registerCopy(MODEL, 1, (v) => v);
    const body = JSON.stringify({ entityId: sends[0].entityId, context: { channel: 'email' } });
    // The load comes from another process, paced at 500/s for 4 s; the alias moves every 250 ms meanwhile.
    const load = execFileAsync(process.execPath, [
      path.join(__dirname, 'paced-load.mjs'),
      `${url}/v1/predict/${MODEL}`,
      '500',
      '4',
      body,
    ]);
    let moves = 0;
    let done = false;
    void load.finally(() => (done = true));
    try {
      while (!done) {
        await harness.moveAlias(MODEL, 'champion', moves % 2 === 0 ? v2 : 1);
        moves++;
        await new Promise((r) => setTimeout(r, 250));
      }
      const { answers } = JSON.parse((await load).stdout) as { answers: [number, number][]; rate: number };
      // 500 a second were sent whatever the machine's speed (on a busy one they queue): every one answered.
      expect(answers).toHaveLength(2000);
      expect(answers.filter(([status]) => status !== 200)).toEqual([]);
      // Several swaps during the load (about 16 on a quiet machine; each move waits for the registry).
      expect(moves).toBeGreaterThanOrEqual(4);
      expect([...new Set(answers.map(([, version]) => version))].sort()).toEqual([1, v2]);
    } finally {
      // Back to version 1 for what follows.
      await harness.moveAlias(MODEL, 'champion', 1);
      await waitFor(async () => (await post(`/v1/predict/${MODEL}`, { entityId: 'x' })).body.modelVersion === 1);
    }
  }, 60_000);

  it('refuses corrupt versions naming the check, and the serving version keeps serving', async () => {
    const flip = (bytes: Uint8Array) => {
      const copy = Buffer.from(bytes);
      copy[copy.length >> 1] ^= 0xff;
      return copy;
    };
    const corrupt: [string, (v: any) => any, string][] = [
      ['sha256', (v) => v, 'sha256'], // bytes flipped in the database after registration, below
      [
        'different scores',
        (v) => ({
          ...v,
          testSample: { ...v.testSample, scores: v.testSample.scores.map((s: number[]) => s.map((x) => 1 - x)) },
        }),
        'test_sample',
      ],
      [
        'wrong input names',
        (v) => ({
          ...v,
          signature: { ...v.signature, inputs: v.signature.inputs.map((i: any) => ({ ...i, name: `x_${i.name}` })) },
        }),
        'signature',
      ],
      ['unloadable bytes', (v) => ({ ...v, onnx: Buffer.from('not an onnx model') }), 'onnx_load'],
    ];
    for (const [what, change, check] of corrupt) {
      const version = await harness.registerCopy(MODEL, 1, change);
      if (what === 'sha256')
        await harness.storage.dataSource.query(
          'UPDATE model_versions SET onnx = $1 WHERE model = $2 AND version = $3',
          [
            flip((await harness.registry.getVersion(MODEL, 1, { withArtifacts: true })).artifacts!.onnx),
            MODEL,
            version,
          ],
        );
      const refusedBefore = await counter('pulse_inference_model_loads_total', { outcome: 'refused', check });
      await harness.moveAlias(MODEL, 'champion', version);
      await waitFor(
        async () => (await counter('pulse_inference_model_loads_total', { outcome: 'refused', check })) > refusedBefore,
        {
          timeoutMs: 20_000,
        },
      );
      const refusal = await waitFor(() =>
        harness.lifecycle.find((e) => e.type === 'version_refused' && e.version === version),
      );
      expect({ what, alias: refusal.alias, message: refusal.message }).toEqual({
        what,
        alias: 'champion',
        message: expect.stringContaining(check),
      });
      const res = await post(`/v1/predict/${MODEL}`, { entityId: sends[0].entityId });
      expect({ what, version: res.body.modelVersion, fallback: res.body.fallback }).toEqual({
        what,
        version: 1,
        fallback: false,
      });
    }
  }, 120_000);

  it('answers with the flagged, counted fallback once the champion is deleted', async () => {
    const before = await counter('pulse_inference_fallbacks_total', { model: MODEL });
    await harness.moveAlias(MODEL, 'champion', null);
    const res = await waitFor(async () => {
      const r = await post(`/v1/predict/${MODEL}`, { entityId: sends[0].entityId });
      return r.body.fallback === true ? r : null;
    });
    expect(res.body).toMatchObject({
      alias: 'fallback',
      modelVersion: 0,
      fallback: true,
      fallbackReason: 'no champion',
      topFactors: [],
    });
    expect(res.body.inputs.map((x: any) => x.name)).toEqual(['learner_behaviour.lesson_completion_rate']);
    expect(await counter('pulse_inference_fallbacks_total', { model: MODEL })).toBeGreaterThan(before);
    expect(((await fetch(`${url}/v2/models/${MODEL}/ready`).then((r) => r.json())) as { ready: boolean }).ready).toBe(
      false,
    );
  });
});
