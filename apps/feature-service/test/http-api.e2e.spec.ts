import { waitFor } from '@pulse/testing';
import { FeatureServiceHarness, getJson, postJson } from './feature-service.harness';

const t0 = Date.parse('2026-01-05T09:00:00Z');
const event = (
  id: string,
  entity: string,
  type: string,
  minutes: number,
  attributes: Record<string, unknown> = {},
) => ({
  event_id: id,
  entity_id: entity,
  event_type: type,
  event_time: new Date(t0 + minutes * 60_000).toISOString(),
  channel: 'email',
  content_id: 'lesson-1',
  attributes,
});

describe('feature-service HTTP API', () => {
  const h = new FeatureServiceHarness();
  let url: string;
  beforeAll(async () => {
    await h.setUp();
    url = (await h.start()).url;
  });
  afterAll(() => h.tearDown());

  it('accepts valid events, reports each invalid one with its field, and serves their features', async () => {
    const learner = `learner-${Date.now()}`;
    const { status, body } = await postJson(`${url}/v1/events`, [
      event('h-1', learner, 'lesson_sent', 0),
      event('h-2', learner, 'lesson_completed', 30),
      event('h-3', learner, 'assessment_answered', 40, { is_correct: 'yes', time_taken_seconds: 12 }),
      event('h-4', learner, 'teleported', 50),
    ]);
    expect(status).toBe(202);
    expect(body.accepted).toBe(2);
    expect(body.rejected).toBe(2);
    expect(body.errors).toEqual([
      expect.objectContaining({ index: 2, eventId: 'h-3', reason: 'wrong_type', field: 'attributes.is_correct' }),
      expect.objectContaining({ index: 3, eventId: 'h-4', reason: 'unknown_event_type', field: 'event_type' }),
    ]);

    const at = new Date(t0 + 60 * 60_000).toISOString();
    const features = await waitFor(
      async () => {
        const r = await getJson(`${url}/v1/features/${learner}?at=${at}&view=learner_behaviour`);
        // the log is appended before the online state is written: until then the same values come
        // from the offline path, so wait for the online one
        return r.body.path === 'online' && r.body.views?.learner_behaviour?.values.lessons_completed === 1
          ? r.body
          : null;
      },
      { timeoutMs: 20_000, message: 'posted events folded into the online state' },
    );
    expect(features.path).toBe('online');
    expect(Object.keys(features.views)).toEqual(['learner_behaviour']);
    expect(features.views.learner_behaviour.version).toBe(1);
    expect(features.views.learner_behaviour.values.lessons_sent).toBe(1);
    expect(features.views.learner_behaviour.values.lesson_completion_rate).toBe(1);
    expect(features.views.learner_behaviour.freshness.lessons_completed).toBe(30 * 60_000);

    // Before the newest event: answered by replaying the log, not from the (newer) online state.
    const earlier = await getJson(
      `${url}/v1/features/${learner}?at=${new Date(t0 + 10 * 60_000).toISOString()}&view=learner_behaviour`,
    );
    expect(earlier.body.path).toBe('offline');
    expect(earlier.body.views.learner_behaviour.values.lessons_sent).toBe(1);
    expect(earlier.body.views.learner_behaviour.values.lessons_completed).toBe(0);
    // Its watermark is that of the events replayed (up to the time asked), not the newer state's.
    expect(earlier.body.watermark).toBe(new Date(t0).toISOString());
    const earlierBatch = await postJson(`${url}/v1/features/batch`, { entityIds: [learner], at: t0 + 10 * 60_000 });
    expect([earlierBatch.body.results[0].path, earlierBatch.body.results[0].watermark]).toEqual([
      'offline',
      new Date(t0).toISOString(),
    ]);

    const batch = await postJson(`${url}/v1/features/batch`, {
      entityIds: [learner, 'nobody'],
      at,
      views: ['learner_behaviour'],
    });
    expect(batch.status).toBe(200);
    expect(batch.body.results.map((r: { entityId: string }) => r.entityId)).toEqual([learner, 'nobody']);
    const [header] = batch.body.views;
    expect(header).toEqual({
      name: 'learner_behaviour',
      version: 1,
      features: Object.keys(features.views.learner_behaviour.values),
    });
    const column = (name: string) => header.features.indexOf(name);
    expect(batch.body.results[0].values.learner_behaviour).toEqual(
      Object.values(features.views.learner_behaviour.values),
    );
    expect(batch.body.results[0].freshness.learner_behaviour).toEqual(
      Object.values(features.views.learner_behaviour.freshness),
    );
    expect(batch.body.results[1].values.learner_behaviour[column('lessons_sent')]).toBe(0);

    // Both answers are encoded by the service itself; they still say what they are.
    const single = await fetch(`${url}/v1/features/${learner}?at=${at}`);
    expect(single.headers.get('content-type')).toBe('application/json');
    expect(Number(single.headers.get('content-length'))).toBe(Buffer.byteLength(await single.text()));
    const many = await fetch(`${url}/v1/features/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ entityIds: [learner] }),
    });
    expect(many.headers.get('content-type')).toBe('application/json');
  });

  it('answers bad requests with 400 naming the field', async () => {
    expect(await postJson(`${url}/v1/events`, { not: 'an array' })).toEqual({
      status: 400,
      body: expect.objectContaining({ field: 'body' }),
    });
    expect(await postJson(`${url}/v1/events`, [{ event_id: 'x' }])).toEqual({
      status: 400,
      body: expect.objectContaining({ accepted: 0, rejected: 1 }),
    });
    expect(await getJson(`${url}/v1/features/a?at=yesterday-ish`)).toEqual({
      status: 400,
      body: expect.objectContaining({ field: 'at' }),
    });
    expect(await getJson(`${url}/v1/features/a?view=no_such_view`)).toEqual({
      status: 400,
      body: expect.objectContaining({ field: 'view' }),
    });
    const tooMany = Array.from({ length: 1001 }, (_, i) => `e${i}`);
    expect(await postJson(`${url}/v1/features/batch`, { entityIds: tooMany })).toEqual({
      status: 400,
      body: expect.objectContaining({ field: 'entityIds' }),
    });
    expect(await postJson(`${url}/v1/features/batch`, { entityIds: ['ok', 7] })).toEqual({
      status: 400,
      body: expect.objectContaining({ field: 'entityIds[1]' }),
    });
    expect(await postJson(`${url}/v1/features/batch`, { entityIds: ['ok', 'ok', 'x\ud800'] })).toEqual({
      status: 400,
      body: expect.objectContaining({ field: 'entityIds[2]' }),
    });
    expect(
      await postJson(`${url}/v1/features/batch`, { entityIds: ['ok'], views: ['learner_behaviour', 'nope'] }),
    ).toEqual({ status: 400, body: expect.objectContaining({ field: 'views[1]' }) });
    expect(await getJson(`${url}/v1/features/a?at=2030`)).toEqual({
      status: 400,
      body: expect.objectContaining({ field: 'at' }),
    });
    expect(await getJson(`${url}/v1/features/a%00b`)).toEqual({
      status: 400,
      body: expect.objectContaining({ field: 'entityId' }),
    });
  });

  it('answers a body of another type than JSON with 415 naming the type to send', async () => {
    const res = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify([event('t-1', 'someone', 'lesson_sent', 0)]),
    });
    expect({ status: res.status, body: await res.json() }).toEqual({
      status: 415,
      body: expect.objectContaining({ field: 'content-type', expected: ['application/json'] }),
    });
  });

  it('lists the feature views with versions, 15+ features in all', async () => {
    const { status, body } = await getJson(`${url}/v1/feature-views`);
    expect(status).toBe(200);
    const names = body.views.map((v: { name: string }) => v.name);
    expect(names).toEqual(
      expect.arrayContaining(['learner_behaviour', 'learner_temporal', 'learner_content', 'learner_engagement']),
    );
    expect(body.views.every((v: { version: number }) => Number.isInteger(v.version) && v.version >= 1)).toBe(true);
    const features = body.views.flatMap((v: { features: unknown[] }) => v.features);
    expect(features.length).toBeGreaterThanOrEqual(15);
  });

  it('reports health of Postgres, Redis and Kafka, Prometheus metrics and OpenAPI docs', async () => {
    const health = await getJson(`${url}/health`);
    expect(health.status).toBe(200);
    expect(Object.keys(health.body.details).sort()).toEqual(['ingest', 'kafka', 'postgres', 'redis']);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    for (const name of [
      'pulse_events_consumed_total',
      'pulse_batch_duration_seconds',
      'pulse_consumer_lag',
      'pulse_redis_op_duration_seconds',
      'pulse_postgres_op_duration_seconds',
      'pulse_http_request_duration_seconds',
    ]) {
      expect(metrics).toContain(name);
    }
    const docs = await getJson(`${url}/docs-json`);
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/v1/events', '/v1/features/{entityId}', '/v1/features/batch', '/v1/feature-views']),
    );
    // What `at` accepts, ranges included.
    const at = docs.body.paths['/v1/features/{entityId}'].get.parameters.find((p: { name: string }) => p.name === 'at');
    expect(at.description).toMatch(/RFC 3339.*9999-12-31T23:59:59\.999Z.*epoch milliseconds from 946684800000/);
  });
});
