import type { EngagementEvent } from '@pulse/contracts';
import type { Storage } from '../data-source';
import { EventLogRepository } from '../event-log/event-log.repository';
import { registryBackends } from '../testing/model-registry.fixtures';
import { ExperimentExistsError, ExperimentNotFoundError, ExperimentVersionConflictError } from './experiment.errors';
import { ExperimentRepository } from './experiment.repository';
import type { MetricQuery, VariantMetricStats } from './experiment.types';

const HOUR = 3_600_000;
let counter = 0;
const uniqueKey = (name: string) => `${name}-${process.pid}-${Date.now().toString(36)}-${counter++}`;

/** A small deterministic generator, so a failure reproduces. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe.each(registryBackends)('ExperimentRepository (%s)', (_name, backend) => {
  let stop: () => Promise<void>;
  let storage: Storage;
  let repo: ExperimentRepository;

  beforeAll(async () => {
    ({ storage, stop } = await backend.start());
    repo = new ExperimentRepository(storage.dataSource);
  }, 60_000);
  afterAll(() => stop());

  it('creates, versions and announces changes; compare-and-set refuses a stale version', async () => {
    const key = uniqueKey('exp');
    const created = await repo.create(key, () => ({ key, variations: [0, 1], status: 'draft' }), { actor: 'ann' });
    expect(created).toMatchObject({ key, version: 1, status: 'draft', definition: { key, version: 1 } });
    await expect(repo.create(key, () => ({ key }), { actor: 'ann' })).rejects.toBeInstanceOf(ExperimentExistsError);
    const started = await repo.update(key, (cur) => ({ ...cur!.definition, status: 'running' }), {
      actor: 'bob',
      expectedVersion: 1,
    });
    expect(started).toMatchObject({ version: 2, status: 'running' });
    await expect(
      repo.update(key, (cur) => ({ ...cur!.definition }), { actor: 'bob', expectedVersion: 1 }),
    ).rejects.toBeInstanceOf(ExperimentVersionConflictError);
    await expect(repo.update(uniqueKey('absent'), () => ({}), { actor: 'x' })).rejects.toBeInstanceOf(
      ExperimentNotFoundError,
    );
    // A mutation that throws writes nothing.
    await expect(
      repo.update(
        key,
        () => {
          throw new Error('refused');
        },
        { actor: 'bob' },
      ),
    ).rejects.toThrow('refused');
    expect((await repo.get(key)).version).toBe(2);
    expect((await repo.versions(key)).map((v) => [v.version, v.actor, v.definition.status])).toEqual([
      [1, 'ann', 'draft'],
      [2, 'bob', 'running'],
    ]);

    const pending = (await repo.pendingChanges(10_000)).filter((p) => p.key === key);
    expect(pending.map((p) => p.version)).toEqual([1, 2]);
    await repo.markChangesPublished(pending.map((p) => p.id));
    expect((await repo.pendingChanges(10_000)).filter((p) => p.key === key)).toEqual([]);
  });

  it('serialises concurrent creates of one key: exactly one wins', async () => {
    const key = uniqueKey('race');
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map((i) => repo.create(key, () => ({ key, variations: [i, 0] }), { actor: `a${i}` })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof ExperimentExistsError)).toHaveLength(3);
  });

  it('hands the mutation every other experiment (for layer checks)', async () => {
    const a = uniqueKey('layer-a');
    const b = uniqueKey('layer-b');
    await repo.create(a, () => ({ key: a }), { actor: 't' });
    let seen: string[] = [];
    await repo.create(
      b,
      (_cur, others) => {
        seen = others.map((o) => o.key);
        return { key: b };
      },
      { actor: 't' },
    );
    expect(seen).toContain(a);
    expect(seen).not.toContain(b);
  });

  it("keeps each unit's earliest exposure whatever the order and repetition", async () => {
    const key = uniqueKey('expo');
    const x = (unitId: string, variant: string, exposedAtMs: number) => ({
      experimentKey: key,
      unitId,
      variant,
      exposureId: `${key}:${unitId}`,
      exposedAtMs,
    });
    expect(await repo.recordExposures([x('u1', '0', 500), x('u1', '0', 400), x('u2', '1', 100)])).toBe(2);
    expect(await repo.recordExposures([x('u1', '0', 450), x('u2', '1', 100), x('u3', '1', 7)])).toBe(1);
    expect(await repo.recordExposures([x('u1', '0', 300)])).toBe(0);
    const rows: { unit_id: string; first_exposed_ms: string }[] = await storage.dataSource.query(
      `SELECT unit_id, first_exposed_ms FROM experiment_exposures WHERE experiment_key = $1 ORDER BY unit_id`,
      [key],
    );
    expect(rows.map((r) => [r.unit_id, Number(r.first_exposed_ms)])).toEqual([
      ['u1', 300],
      ['u2', 100],
      ['u3', 7],
    ]);
    expect([...(await repo.exposureCounts(key))].sort()).toEqual([
      ['0', 1],
      ['1', 2],
    ]);
  });

  it('computes per-variant sufficient statistics in SQL equal to a plain computation', async () => {
    const key = uniqueKey('stats');
    const rand = lcg(42);
    const t0 = Date.UTC(2026, 0, 1);
    const asOfMs = t0 + 40 * 24 * HOUR;
    const units = Array.from({ length: 120 }, (_, i) => ({
      unitId: `${key}-u${i}`,
      variant: String(i % 3),
      firstMs: t0 + Math.floor(rand() * 30 * 24 * HOUR),
    }));
    const events: EngagementEvent[] = [];
    for (const u of units) {
      const n = Math.floor(rand() * 6);
      for (let j = 0; j < n; j++) {
        const offset = Math.floor((rand() - 0.3) * 10 * 24 * HOUR);
        const type = rand() < 0.5 ? 'lesson_completed' : 'assessment_answered';
        events.push({
          eventId: `${u.unitId}-e${j}`,
          entityId: u.unitId,
          eventType: type,
          eventTimeMs: u.firstMs + offset,
          channel: 'email',
          attributes:
            type === 'assessment_answered'
              ? { is_correct: rand() < 0.6, time_taken_seconds: Math.round(rand() * 900) / 10 }
              : {},
        });
      }
    }
    // Plain inserts: PGlite's wire server takes no COPY.
    await new EventLogRepository(storage.dataSource, { bulkLoad: 'insert' }).appendMany(events);
    await repo.recordExposures(
      units.map((u) => ({
        experimentKey: key,
        unitId: u.unitId,
        variant: u.variant,
        exposureId: u.unitId,
        exposedAtMs: u.firstMs,
      })),
    );

    const expected = (m: MetricQuery): VariantMetricStats[] => {
      const value = (u: (typeof units)[number], from: number, to: number): number | null => {
        const es = events.filter(
          (e) => e.entityId === u.unitId && e.eventType === m.eventType && e.eventTimeMs >= from && e.eventTimeMs < to,
        );
        const attr = es.map((e) => Number(e.attributes[m.attribute ?? '']));
        if (m.kind === 'conversion') return es.length > 0 ? 1 : 0;
        if (m.kind === 'count') return es.length;
        if (m.kind === 'sum') return attr.reduce((a, b) => a + b, 0);
        return es.length === 0 ? null : attr.reduce((a, b) => a + b, 0) / es.length;
      };
      const byVariant = new Map<string, VariantMetricStats>();
      for (const u of units) {
        const y = value(u, u.firstMs, Math.min(u.firstMs + m.windowMs, asOfMs));
        if (y === null) continue;
        const x = value(u, u.firstMs - m.windowMs, u.firstMs) ?? 0;
        const s = byVariant.get(u.variant) ?? {
          variant: u.variant,
          n: 0,
          sum: 0,
          sumSquares: 0,
          sumPre: 0,
          sumPreSquares: 0,
          sumProduct: 0,
        };
        byVariant.set(u.variant, {
          variant: u.variant,
          n: s.n + 1,
          sum: s.sum + y,
          sumSquares: s.sumSquares + y * y,
          sumPre: s.sumPre + x,
          sumPreSquares: s.sumPreSquares + x * x,
          sumProduct: s.sumProduct + x * y,
        });
      }
      return [...byVariant.values()].sort((a, b) => a.variant.localeCompare(b.variant));
    };

    const metrics: MetricQuery[] = [
      { kind: 'conversion', eventType: 'lesson_completed', windowMs: 48 * HOUR },
      { kind: 'count', eventType: 'lesson_completed', windowMs: 7 * 24 * HOUR },
      { kind: 'sum', eventType: 'assessment_answered', attribute: 'time_taken_seconds', windowMs: 7 * 24 * HOUR },
      { kind: 'mean', eventType: 'assessment_answered', attribute: 'is_correct', windowMs: 7 * 24 * HOUR },
    ];
    for (const m of metrics) {
      const got = await repo.metricStats(key, m, asOfMs);
      const want = expected(m);
      expect(got.map((g) => [g.variant, g.n])).toEqual(want.map((w) => [w.variant, w.n]));
      got.forEach((g, i) => {
        for (const field of ['sum', 'sumSquares', 'sumPre', 'sumPreSquares', 'sumProduct'] as const)
          expect(g[field]).toBeCloseTo(want[i][field], 6);
      });
    }
    // The conversion counts at least one converted and one not in each variant: the data is not degenerate.
    const conversion = expected(metrics[0]);
    expect(conversion.every((s) => s.sum > 0 && s.sum < s.n)).toBe(true);
  });
});
