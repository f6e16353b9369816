/**
 * @jest-environment ./libs/testing/jest/native-realm.environment.js
 */
import { modelFromJson, predict, type GbdtModel } from '@pulse/gbdt';
import { lessonCompletionModel } from '@pulse/models';
import { loadServableModel } from '../loading/model-loader';
import type { ModelVersionContents } from '../loading/model-version.types';
import type { ServableModel } from '../loading/servable-model';
import {
  candidateContents,
  contentsOf,
  quickSpec,
  simulatedEvents,
  trainQuick,
  truncated,
} from '../testing/trained-models.fixture';
import { ServingTable } from './serving-table';

const MODEL = 'lesson_completion';

describe('ServingTable', () => {
  /** Three versions of the model that score the rows differently; their expected scores by version. */
  const versions = new Map<number, ModelVersionContents>();
  const expected = new Map<number, Float64Array>();
  let rows: Float32Array;
  let n: number;
  const load = (version: number) => loadServableModel(versions.get(version)!);

  beforeAll(async () => {
    const trained = await trainQuick(quickSpec(lessonCompletionModel), simulatedEvents(120, 30));
    const gbdt = modelFromJson(trained.modelJson);
    const sample = trained.testSample.rows.slice(0, 32);
    n = sample.length;
    rows = Float32Array.from(sample.flat());
    const models: [number, GbdtModel][] = [
      [1, gbdt],
      [2, truncated(gbdt, gbdt.numRounds - 4)],
      [3, truncated(gbdt, gbdt.numRounds - 8)],
    ];
    versions.set(1, candidateContents(trained, 1));
    for (const [v, m] of models) {
      if (v > 1) versions.set(v, contentsOf(MODEL, m, trained.signature, trained.testSample.rows, v));
      const columns = m.featureNames.map((_, f) => Float32Array.from(sample, (r) => r[f]));
      expected.set(v, predict(m, columns));
    }
  }, 120_000);

  /** The one version whose scores these are (throws when none or several match). */
  function versionOf(scores: Float32Array): number {
    const matching = [...expected].filter(([, e]) => e.every((p, i) => Math.abs(p - scores[i]) <= 1e-5));
    if (matching.length !== 1) throw new Error(`scores match ${matching.length} versions`);
    return matching[0][0];
  }

  it('has nothing to lease for an alias it does not serve', () => {
    const table = new ServingTable();
    expect(table.acquire(MODEL, 'champion')).toBeUndefined();
    expect(table.remove(MODEL, 'champion').removed).toBe(false);
  });

  it('leases the new version at once after a swap and closes the old one after its last lease', async () => {
    const table = new ServingTable();
    const [a, b] = [await load(1), await load(2)];
    expect(table.swap(MODEL, 'champion', a).previous).toBeUndefined();
    const held = table.acquire(MODEL, 'champion')!;
    const { previous, retired } = table.swap(MODEL, 'champion', b);
    expect(previous).toBe(a);
    const next = table.acquire(MODEL, 'champion')!;
    expect(next.servable).toBe(b);
    next.release();
    expect(versionOf(await held.servable.score(rows, n))).toBe(1);
    expect(a.closed).toBe(false);
    held.release();
    held.release();
    await retired;
    expect([a.closed, b.closed, table.leasesOf(a)]).toEqual([true, false, 0]);
    await table.close();
    expect(b.closed).toBe(true);
  });

  it('closes a removed version once released, and one serving two aliases only when both let go', async () => {
    const table = new ServingTable();
    const a = await load(1);
    table.swap(MODEL, 'champion', a);
    table.swap(MODEL, 'shadow', a);
    const lease = table.acquire(MODEL, 'shadow')!;
    await table.remove(MODEL, 'champion').retired;
    expect(a.closed).toBe(false);
    const removed = table.remove(MODEL, 'shadow');
    expect([removed.removed, table.acquire(MODEL, 'shadow'), a.closed]).toEqual([true, undefined, false]);
    lease.release();
    await removed.retired;
    expect(a.closed).toBe(true);
    expect(table.modelNames()).toEqual([]);
  });

  it('refuses to serve a version of another model or a closed one', async () => {
    const table = new ServingTable();
    const a = await load(1);
    expect(() => table.swap('dropout_risk', 'champion', a)).toThrow(/not of model "dropout_risk"/);
    await a.close();
    expect(() => table.swap(MODEL, 'champion', a)).toThrow(/next \(lesson_completion version 1\) is closed/);
  });

  it('fails and delays no scoring while the alias is swapped again and again: each used exactly one version', async () => {
    const table = new ServingTable();
    table.swap(MODEL, 'champion', await load(1));
    const used = new Map<number, number>();
    const failures: unknown[] = [];
    const replaced: { servable: ServableModel; retired: Promise<void>; inFlight: number }[] = [];
    let swapping = true;

    const client = async () => {
      while (swapping) {
        const lease = table.acquire(MODEL, 'champion')!;
        try {
          const scores = await lease.servable.score(rows, n);
          const v = versionOf(scores);
          if (v !== lease.servable.version) throw new Error(`leased version ${lease.servable.version} scored as ${v}`);
          used.set(v, (used.get(v) ?? 0) + 1);
        } catch (e) {
          failures.push(e);
        } finally {
          lease.release();
        }
      }
    };
    const swapper = async () => {
      for (let i = 0; i < 30; i++) {
        const next = await load([2, 3, 1][i % 3]);
        const { previous, retired } = table.swap(MODEL, 'champion', next);
        replaced.push({ servable: previous!, retired, inFlight: table.leasesOf(previous!) });
      }
      swapping = false;
    };
    await Promise.all([swapper(), ...Array.from({ length: 24 }, client)]);

    expect(failures).toEqual([]);
    expect([...used.keys()].sort()).toEqual([1, 2, 3]);
    expect([...used.values()].reduce((a, b) => a + b)).toBeGreaterThan(100);
    // most swaps happened with scorings still running on the version they replaced
    expect(replaced.filter((r) => r.inFlight > 0).length).toBeGreaterThan(15);
    await Promise.all(replaced.map((r) => r.retired));
    expect(replaced.every((r) => r.servable.closed && table.leasesOf(r.servable) === 0)).toBe(true);
    await table.close();
  });
});
