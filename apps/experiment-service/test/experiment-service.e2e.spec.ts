import { GrowthBook, type Experiment as GrowthBookExperiment } from '@growthbook/growthbook';
import {
  CONTENT_TYPE_HEADER,
  decodeDeadLetter,
  decodeExperimentChange,
  decodeExperimentExposure,
  encodeExperimentExposure,
  exposureId,
  type EngagementEvent,
} from '@pulse/contracts';
import type { ExperimentResultsJson } from '@pulse/experiment-service';
import { EventLogRepository } from '@pulse/storage';
import { waitFor } from '@pulse/testing';
import { ADMIN_TOKEN, ExperimentServiceHarness, READ_TOKEN } from './experiment-service.harness';

const HOUR = 3_600_000;
const h = new ExperimentServiceHarness();
let url: string;

async function call(method: string, path: string, body?: unknown, token: string | null = ADMIN_TOKEN) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text);
  } catch {
    json = { text };
  }
  return { status: res.status, json, text };
}

const lessonTest = (key: string, extra: Record<string, unknown> = {}) => ({
  key,
  variations: ['short', 'long', 'video'],
  weights: [0.5, 0.25, 0.25],
  coverage: 0.9,
  hashVersion: 2,
  seed: `${key}-seed`,
  meta: [{ key: 'short' }, { key: 'long' }, { key: 'video' }],
  metrics: ['lesson_completion', 'lessons_completed'],
  ...extra,
});

beforeAll(async () => {
  await h.setUp();
  ({ url } = await h.start());
}, 120_000);
afterAll(() => h.tearDown(), 60_000);

describe('experiments: definitions', () => {
  it('needs an admin token to change anything; reading needs none', async () => {
    expect((await call('POST', '/v1/experiments', lessonTest('auth-x'), null)).status).toBe(401);
    expect((await call('POST', '/v1/experiments', lessonTest('auth-x'), READ_TOKEN)).status).toBe(403);
    expect((await call('GET', '/v1/experiments', undefined, null)).status).toBe(200);
  });

  it('refuses broken definitions with a 400 naming the field, and stores nothing', async () => {
    const broken: [Record<string, unknown>, string][] = [
      [lessonTest('b1', { weights: [0.5, 0.5, 0.5] }), 'weights'],
      [lessonTest('b2', { metrics: ['no_such_metric'] }), 'metrics[0]'],
      [lessonTest('b3', { coverage: 2 }), 'coverage'],
      [lessonTest('b4', { hashVersion: 3 }), 'hashVersion'],
      [lessonTest('b5', { status: 'paused' }), 'status'],
      [lessonTest('b6', { variations: ['only'], weights: undefined, meta: undefined }), 'variations'],
      [{ variations: [0, 1] }, 'key'],
      [lessonTest('b7', { model: 'lesson_completion' }), 'variations[0]'],
    ];
    for (const [body, field] of broken) {
      const res = await call('POST', '/v1/experiments', body);
      expect({ body: body.key, status: res.status, field: res.json.field }).toEqual({
        body: body.key,
        status: 400,
        field,
      });
      expect(typeof res.json.message).toBe('string');
    }
    expect((await call('POST', '/v1/experiments', '[1,2', ADMIN_TOKEN)).status).toBe(400);
    const list = (await call('GET', '/v1/experiments')).json.experiments as { key: string }[];
    expect(list.map((e) => e.key).filter((k) => /^b\d$/.test(k))).toEqual([]);
  });

  it('answers hostile input with a 4xx naming what is wrong, never a 5xx', async () => {
    const raw = (body: Buffer | string, type = 'application/json') =>
      fetch(`${url}/v1/experiments`, {
        method: 'POST',
        headers: { 'content-type': type, authorization: `Bearer ${ADMIN_TOKEN}` },
        body,
      }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }));
    const cases: [Promise<{ status: number; json: Record<string, unknown> }>, number, string][] = [
      [
        call('POST', '/v1/experiments', lessonTest('nul', { variations: ['a\u0000', 'b', 'c'] })).then((r) => r),
        400,
        'variations[0]',
      ],
      [call('POST', '/v1/experiments', { ...lessonTest('nul-key'), ['x\u0000']: 1 }).then((r) => r), 400, 'x\u0000'],
      [call('POST', '/v1/experiments', lessonTest('big', { name: 'x'.repeat(2_000_000) })).then((r) => r), 413, 'body'],
      [
        call('POST', '/v1/experiments', lessonTest('when', { startAt: '275760-09-13T00:00:00Z' })).then((r) => r),
        400,
        'startAt',
      ],
      [
        call('POST', '/v1/experiments', lessonTest('feb', { endAt: '2026-02-30T00:00:00Z' })).then((r) => r),
        400,
        'endAt',
      ],
      [raw(Buffer.concat([Buffer.from('{"key":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')])), 400, 'body'],
      [raw('key=a&variations=b', 'application/x-www-form-urlencoded'), 415, 'content-type'],
      [raw('['.repeat(100_000)), 400, 'body'],
      [call('GET', `/v1/assignments/${encodeURIComponent('u\u0000')}`, undefined, null).then((r) => r), 400, 'unit'],
      [call('GET', '/v1/assignments/%ff', undefined, null).then((r) => r), 400, 'path'],
      [
        call(
          'GET',
          `/v1/experiments/versioned/results?asOf=${encodeURIComponent('275760-09-13T00:00:00Z')}`,
          undefined,
          null,
        ).then((r) => r),
        400,
        'asOf',
      ],
    ];
    for (const [answer, status, field] of cases) expect(await answer).toMatchObject({ status, json: { field } });
    expect((await call('GET', '/v1/experiments')).status).toBe(200);
  });

  it('refuses overlapping namespace ranges in a layer, and frees a stopped experiment’s range', async () => {
    const a = await call('POST', '/v1/experiments', lessonTest('layer-a', { namespace: ['onboarding', 0, 0.6] }));
    expect(a.status).toBe(201);
    const b = await call('POST', '/v1/experiments', lessonTest('layer-b', { namespace: ['onboarding', 0.5, 1] }));
    expect(b).toMatchObject({ status: 400, json: { field: 'namespace' } });
    expect(b.json.message).toMatch(/layer-a/);
    expect((await call('POST', '/v1/experiments/layer-a/stop')).status).toBe(200);
    expect(
      (await call('POST', '/v1/experiments', lessonTest('layer-b', { namespace: ['onboarding', 0.5, 1] }))).status,
    ).toBe(201);
    // stopped is final
    expect(await call('POST', '/v1/experiments/layer-a/start')).toMatchObject({
      status: 400,
      json: { field: 'status' },
    });
  });

  it('versions every change, compare-and-set included, and announces each on the changes topic', async () => {
    const created = await call('POST', '/v1/experiments', lessonTest('versioned'));
    expect(created).toMatchObject({ status: 201, json: { key: 'versioned', version: 1, status: 'draft' } });
    expect((await call('POST', '/v1/experiments', lessonTest('versioned'))).status).toBe(409);
    const started = await call('POST', '/v1/experiments/versioned/start?expectedVersion=1');
    expect(started).toMatchObject({ status: 200, json: { version: 2, status: 'running' } });
    expect((await call('POST', '/v1/experiments/versioned/stop?expectedVersion=1')).status).toBe(409);
    expect((await call('GET', '/v1/experiments/nope')).status).toBe(404);
    const versions = (await call('GET', '/v1/experiments/versioned/versions')).json.versions as { actor: string }[];
    expect(versions.map((v) => v.actor)).toEqual(['eva', 'eva']);
    await waitFor(
      () => {
        const changes = h.seen.changes.map((m) => decodeExperimentChange(m.value)).filter((c) => c.key === 'versioned');
        return changes.some((c) => c.version === 2 && c.definition?.status === 'running');
      },
      { timeoutMs: 15_000, message: 'version 2 of "versioned" on the changes topic' },
    );
  });
});

describe('assignments, exposures and results', () => {
  const key = 'lesson-length';
  const units = Array.from({ length: 1500 }, (_, i) => `learner-${i}`);
  const assigned = new Map<string, string>();

  beforeAll(async () => {
    expect((await call('POST', '/v1/experiments', lessonTest(key, { status: 'running' }))).status).toBe(201);
    // The assignments' directory picks the new experiment up after the change is published.
    const probe = await waitFor(
      async () => {
        const res = await call('GET', `/v1/assignments/probe-unit`, undefined, null);
        return (res.json.assignments as { experiment: string; inExperiment: boolean; variant: string }[]).find(
          (a) => a.experiment === key,
        );
      },
      { timeoutMs: 15_000, message: 'the experiment served by the assignments API' },
    );
    // The probe was exposed too when it is in the experiment.
    if (probe.inExperiment) assigned.set('probe-unit', probe.variant);
  }, 60_000);

  it('assigns every unit exactly as the GrowthBook SDK does, and publishes one exposure id per unit', async () => {
    const definition = (await call('GET', `/v1/experiments/${key}`)).json.definition as Record<string, unknown>;
    for (const unit of units) {
      const res = await call('GET', `/v1/assignments/${encodeURIComponent(unit)}`, undefined, null);
      expect(res.status).toBe(200);
      const ours = (
        res.json.assignments as { experiment: string; inExperiment: boolean; variant: string; exposureId?: string }[]
      ).find((a) => a.experiment === key)!;
      const theirs = new GrowthBook({ attributes: { id: unit } }).run(
        definition as unknown as GrowthBookExperiment<unknown>,
      );
      expect([unit, ours.inExperiment, ours.inExperiment ? ours.variant : null]).toEqual([
        unit,
        theirs.inExperiment,
        theirs.inExperiment ? theirs.key : null,
      ]);
      if (ours.inExperiment) {
        expect(ours.exposureId).toBe(exposureId(key, unit));
        assigned.set(unit, ours.variant);
      }
    }
    expect(assigned.size).toBeGreaterThan(1150);
    // Asking again exposes again with the same id.
    await call('GET', `/v1/assignments/${units[0]}`, undefined, null);
    await waitFor(
      () =>
        new Set(
          h.seen.exposures
            .map((m) => decodeExperimentExposure(m.value, m.headers[CONTENT_TYPE_HEADER]))
            .filter((x) => x.experimentKey === key)
            .map((x) => x.exposureId),
        ).size === assigned.size,
      { timeoutMs: 30_000, message: 'one exposure id per assigned unit on the exposures topic' },
    );
  }, 180_000);

  it('records each unit’s first exposure once, whatever the redelivery; bad records go to the DLQ with the reason', async () => {
    // Replays of exposures (earlier times win) and garbage between them.
    const replay = [...assigned].slice(0, 200).map(([unit, variant]) => {
      const encoded = encodeExperimentExposure({
        exposureId: exposureId(key, unit),
        experimentKey: key,
        variant,
        unitId: unit,
        exposedAtMs: Date.now() - 10 * 24 * HOUR,
        context: {},
      });
      return { key: unit, value: encoded.value, headers: { [CONTENT_TYPE_HEADER]: encoded.contentType } };
    });
    const garbage = [
      { key: 'x', value: Buffer.from('{"exposureId": 1}'), headers: { [CONTENT_TYPE_HEADER]: 'application/json' } },
      {
        key: 'y',
        value: Buffer.from([0xff, 0x00, 0x12]),
        headers: { [CONTENT_TYPE_HEADER]: 'application/x-protobuf' },
      },
    ];
    await h.bus
      .createPublisher()
      .publish(h.topics.exposures, [...replay.slice(0, 100), ...garbage, ...replay, ...replay.slice(100)]);
    await waitFor(
      async () => {
        const rows: { n: number; old: number }[] = await h.storage.dataSource.query(
          `SELECT count(*)::int AS n, count(*) FILTER (WHERE first_exposed_ms < $2)::int AS old FROM experiment_exposures WHERE experiment_key = $1`,
          [key, Date.now() - 5 * 24 * HOUR],
        );
        return rows[0].n === assigned.size && rows[0].old === 200;
      },
      { timeoutMs: 30_000, message: 'every assigned unit recorded once, the replayed ones at their earlier time' },
    );
    await waitFor(() => h.seen.exposuresDlq.length >= 2, { timeoutMs: 15_000, message: 'two dead letters' });
    const dead = h.seen.exposuresDlq.map((m) => decodeDeadLetter(m.value));
    expect(new Set(dead.map((d) => d.sourceKey))).toEqual(new Set(['x', 'y']));
    expect(dead.every((d) => d.reason !== '' && d.sourceTopic === h.topics.exposures)).toBe(true);
    expect(dead.find((d) => d.sourceKey === 'x')).toMatchObject({ field: 'exposureId' });
    expect(dead.find((d) => d.sourceKey === 'y')?.message).toBeTruthy();
  }, 60_000);

  it('computes results from the event log: per-variant counts and means as the data say, lifts, CUPED, SRM, corrections; and an HTML page', async () => {
    const rows: { unit_id: string; variant: string; first_exposed_ms: string }[] = await h.storage.dataSource.query(
      `SELECT unit_id, variant, first_exposed_ms FROM experiment_exposures WHERE experiment_key = $1`,
      [key],
    );
    // "video" learners complete more; everyone has some history before exposure (the CUPED covariate).
    const rate: Record<string, number> = { short: 0.3, long: 0.3, video: 0.55 };
    const events: EngagementEvent[] = [];
    let seed = 7;
    const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const expected = new Map<string, { n: number; converted: number }>();
    for (const r of rows) {
      const first = Number(r.first_exposed_ms);
      const converts = rand() < rate[r.variant];
      const stats = expected.get(r.variant) ?? { n: 0, converted: 0 };
      expected.set(r.variant, { n: stats.n + 1, converted: stats.converted + (converts ? 1 : 0) });
      if (converts)
        events.push({
          eventId: `${r.unit_id}-c`,
          entityId: r.unit_id,
          eventType: 'lesson_completed',
          eventTimeMs: first + 5 * HOUR,
          channel: 'email',
          attributes: {},
        });
      // After the 48 h window: not counted by lesson_completion, counted by the 7-day count.
      events.push({
        eventId: `${r.unit_id}-late`,
        entityId: r.unit_id,
        eventType: 'lesson_completed',
        eventTimeMs: first + 60 * HOUR,
        channel: 'email',
        attributes: {},
      });
      if (rand() < 0.5)
        events.push({
          eventId: `${r.unit_id}-pre`,
          entityId: r.unit_id,
          eventType: 'lesson_completed',
          eventTimeMs: first - 20 * HOUR,
          channel: 'email',
          attributes: {},
        });
    }
    await new EventLogRepository(h.storage.dataSource).appendMany(events);

    const res = await call(
      'GET',
      `/v1/experiments/${key}/results?asOf=${new Date(Date.now() + 30 * 24 * HOUR).toISOString()}&correction=bh`,
      undefined,
      null,
    );
    expect(res.status).toBe(200);
    const results = res.json as unknown as ExperimentResultsJson;
    expect(results.control).toBe('short');
    const completion = results.metrics.find((m) => m.metric === 'lesson_completion')!;
    for (const v of completion.variants) {
      const e = expected.get(v.variant)!;
      expect([v.variant, v.n, v.mean]).toEqual([v.variant, e.n, e.converted / e.n]);
    }
    const video = completion.comparisons.find((c) => c.variant === 'video')!;
    expect(video.test).toBe('z');
    expect(video.difference!).toBeGreaterThan(0.1);
    expect(video.p_value!).toBeLessThan(0.001);
    expect(video.ci_low!).toBeLessThan(video.difference!);
    expect(video.sequential.ci_low!).toBeLessThanOrEqual(video.ci_low!);
    expect(video.cuped).not.toBeNull();
    const counts = results.metrics.find((m) => m.metric === 'lessons_completed')!;
    expect(counts.comparisons[0].test).toBe('welch');
    // Benjamini–Hochberg across 2 metrics × 2 comparisons: never below the raw p-value.
    for (const m of results.metrics)
      for (const c of m.comparisons) expect(c.p_value_adjusted!).toBeGreaterThanOrEqual(c.p_value! - 1e-15);
    expect(results.srm.flagged).toBe(false);
    expect(Object.values(results.srm.counts).reduce((a, b) => a + b, 0)).toBe(rows.length);

    const html = await fetch(`${url}/v1/experiments/${key}/results.html`);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    const page = await html.text();
    expect(page).toContain('<svg');
    expect(page).toContain('lesson_completion');
    expect((await call('GET', `/v1/experiments/${key}/results?correction=wrong`)).json.field).toBe('correction');
    expect((await call('GET', `/v1/experiments/${key}/results?alpha=2`)).json.field).toBe('alpha');
  }, 60_000);

  it('flags a sample ratio mismatch', async () => {
    const skewed = 'skewed';
    expect((await call('POST', '/v1/experiments', { key: skewed, variations: [0, 1], status: 'running' })).status).toBe(
      201,
    );
    await h.storage.dataSource.query(
      `INSERT INTO experiment_exposures (experiment_key, unit_id, variant, exposure_id, first_exposed_ms)
       SELECT $1, 'u' || i, CASE WHEN i % 10 < 6 THEN '0' ELSE '1' END, 'x' || i, 1 FROM generate_series(1, 2000) i`,
      [skewed],
    );
    const res = await call('GET', `/v1/experiments/${skewed}/results`);
    expect(res.json.srm).toMatchObject({ counts: { '0': 1200, '1': 800 }, flagged: true });
    expect((res.json.srm as { p_value: number }).p_value).toBeLessThan(0.001);
  });
});
