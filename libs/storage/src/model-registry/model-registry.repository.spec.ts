import type { Storage } from '../data-source';
import { CreateModelRegistry1795900000000 } from '../migrations/model-registry.migration';
import { ModelReferenceProfile1796100000000 } from '../migrations/model-reference-profile.migration';
import { newVersion, registryBackends, sha256Hex, uniqueModel } from '../testing/model-registry.fixtures';
import { AliasConflictError, ModelNotFoundError, VersionNotFoundError } from './model-registry.errors';
import { ModelRegistryRepository } from './model-registry.repository';
import type { AliasMovedEvent, ModelLifecycleEvent, ModelRegisteredEvent } from './model-registry.types';

describe.each(registryBackends)('ModelRegistryRepository (%s)', (_name, backend) => {
  let stop: () => Promise<void>;
  let storage: Storage;
  let registry: ModelRegistryRepository;

  beforeAll(async () => {
    ({ storage, stop } = await backend.start());
    registry = new ModelRegistryRepository(storage.dataSource);
  }, 60_000);
  afterAll(() => stop());

  /** The model's lifecycle events in the outbox, published or not, in outbox order. */
  const outboxOf = async (model: string): Promise<ModelLifecycleEvent[]> =>
    (
      (await storage.dataSource.query(
        `SELECT payload FROM model_lifecycle_outbox WHERE payload->>'model' = $1 ORDER BY id`,
        [model],
      )) as { payload: ModelLifecycleEvent }[]
    ).map((r) => r.payload);

  const historyRows = (model: string) =>
    storage.dataSource.query(
      `SELECT alias, from_version, to_version, sequence FROM model_alias_history WHERE model = $1 ORDER BY id`,
      [model],
    ) as Promise<{ alias: string; from_version: number | null; to_version: number | null; sequence: number }[]>;

  async function registerMany(model: string, count: number): Promise<void> {
    for (let n = 1; n <= count; n++) await registry.registerVersion(newVersion(model, n));
  }

  it('numbers the versions of a model 1, 2, … and keeps their artifacts with digests it computes itself', async () => {
    const model = uniqueModel('churn');
    const other = uniqueModel('other');
    const first = newVersion(model, 1);
    const second = newVersion(model, 2, {
      gates: [{ name: 'min_auc', passed: false, value: 0.6, threshold: 0.7, detail: 'auc 0.600 <= 0.70' }],
      trainingJobId: 'job-not-in-registry',
    });
    // A digest the caller made up is not even read: the registry computes its own.
    const v1 = await registry.registerVersion({ ...first, onnxSha256: 'f'.repeat(64) } as typeof first);
    const v2 = await registry.registerVersion(second);
    const o1 = await registry.registerVersion(newVersion(other, 1));

    expect([v1.version, v2.version, o1.version]).toEqual([1, 2, 1]);
    expect(v1).toMatchObject({
      model,
      specVersion: 2,
      task: 'binary',
      createdBy: 'registry-spec',
      trainingJobId: null,
      metrics: first.metrics,
      gates: first.gates,
      gatesPassed: true,
      signature: first.signature,
      lineage: first.lineage,
      evaluation: first.evaluation,
      onnxSha256: sha256Hex(first.onnx),
      onnxBytes: first.onnx.byteLength,
      modelJsonSha256: sha256Hex(Buffer.from(first.modelJson, 'utf8')),
      modelJsonBytes: Buffer.byteLength(first.modelJson, 'utf8'),
      contentSha256: first.contentSha256,
    });
    expect(v1.artifacts).toBeUndefined();
    expect(v2.gatesPassed).toBe(false);
    expect(v2.trainingJobId).toBe('job-not-in-registry');
    expect(Date.parse(v2.createdAt)).toBeGreaterThanOrEqual(Date.parse(v1.createdAt));
    // A missing feature value (NaN) comes back as NaN.
    expect(v1.testSample.rows[0][1]).toBeNaN();
    expect(v1.testSample).toEqual(first.testSample);

    const full = await registry.getVersion(model, 1, { withArtifacts: true });
    expect(full.artifacts!.onnx.equals(Buffer.from(first.onnx))).toBe(true);
    expect(full.artifacts!.modelJson).toBe(first.modelJson);
    expect(full.artifacts!.reportHtml).toBe(first.reportHtml);
    expect({ ...full, artifacts: undefined }).toEqual({ ...v1, artifacts: undefined });
    expect((await registry.getVersion(model, 2)).artifacts).toBeUndefined();

    const onnx = await registry.getArtifact(model, 2, 'onnx');
    expect(onnx.bytes.equals(Buffer.from(second.onnx))).toBe(true);
    expect(onnx).toMatchObject({ sha256: sha256Hex(second.onnx), contentType: 'application/octet-stream' });
    const json = await registry.getArtifact(model, 2, 'json');
    expect(json.bytes.toString('utf8')).toBe(second.modelJson);
    expect(json).toMatchObject({ sha256: v2.modelJsonSha256, contentType: 'application/json' });
    expect(await registry.getReport(model, 1)).toBe(first.reportHtml);

    const listed = await registry.listVersions(model);
    expect(listed.map((v) => v.version)).toEqual([2, 1]);
    expect(listed.every((v) => v.artifacts === undefined)).toBe(true);
    const models = (await registry.listModels()).filter((m) => m.model === model || m.model === other);
    expect(models).toEqual(
      [
        { model, latestVersion: 2, latestCreatedAt: v2.createdAt, versionCount: 2, aliases: {} },
        { model: other, latestVersion: 1, latestCreatedAt: o1.createdAt, versionCount: 1, aliases: {} },
      ].sort((a, b) => (a.model < b.model ? -1 : 1)),
    );

    // Each registration queued its event.
    const events = (await outboxOf(model)) as ModelRegisteredEvent[];
    expect(events).toEqual([
      {
        type: 'registered',
        eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        model,
        version: 1,
        occurredAt: v1.createdAt,
        gatesPassed: true,
        metrics: first.metrics,
        onnxSha256: v1.onnxSha256,
        featureNames: ['learner.completion_rate', 'learner.streak_days'],
        trainingJobId: null,
        trainingRequestId: null,
      },
      expect.objectContaining({ version: 2, gatesPassed: false, trainingJobId: 'job-not-in-registry' }),
    ]);
    expect(events[0].eventId).not.toBe(events[1].eventId);
  });

  it('says which of model and version is missing', async () => {
    const model = uniqueModel('missing');
    await expect(registry.getVersion(model, 1)).rejects.toBeInstanceOf(ModelNotFoundError);
    await expect(registry.listVersions(model)).rejects.toBeInstanceOf(ModelNotFoundError);
    await expect(registry.getAliases(model)).rejects.toBeInstanceOf(ModelNotFoundError);
    await expect(registry.aliasHistory(model)).rejects.toBeInstanceOf(ModelNotFoundError);
    expect(await registry.resolveAlias(model, 'production')).toBeNull();
    await registry.registerVersion(newVersion(model, 1));
    const missing = registry.getArtifact(model, 2, 'onnx');
    await expect(missing).rejects.toBeInstanceOf(VersionNotFoundError);
    await expect(missing).rejects.toMatchObject({ model, version: 2, retriable: false });
    await expect(registry.getReport(model, 2)).rejects.toBeInstanceOf(VersionNotFoundError);
    expect(await registry.getAliases(model)).toEqual({});
    expect(await registry.aliasHistory(model)).toEqual([]);
  });

  it('gives 20 concurrent registrations of one model the versions 1..20, no gaps, no repeats', async () => {
    const model = uniqueModel('race');
    const records = await Promise.all(
      Array.from({ length: 20 }, (_, i) => registry.registerVersion(newVersion(model, i))),
    );
    const numbers = records.map((r) => r.version).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // Each got the contents it registered, and later versions are not older.
    for (const r of records) expect(r.lineage.n).toBeDefined();
    const listed = (await registry.listVersions(model)).reverse();
    for (let i = 1; i < listed.length; i++)
      expect(Date.parse(listed[i].createdAt)).toBeGreaterThanOrEqual(Date.parse(listed[i - 1].createdAt));
    const events = await outboxOf(model);
    expect(events.map((e) => e.version)).toEqual(numbers);
  });

  it('rejects a malformed version, naming the argument, before writing anything', async () => {
    const model = uniqueModel('bad');
    const good = newVersion(model, 1);
    const cases: [Partial<typeof good>, ErrorConstructor, RegExp][] = [
      [{ model: 'Has Capitals' }, RangeError, /input\.model/],
      [{ model: 'a/b' }, RangeError, /input\.model/],
      [{ specVersion: 1.5 }, RangeError, /input\.specVersion/],
      [{ metrics: { auc: NaN } }, RangeError, /input\.metrics\.auc/],
      [
        { gates: [{ name: 'g', passed: 'yes' as never, value: 1, threshold: 1, detail: '' }] },
        TypeError,
        /gates\[0\]\.passed/,
      ],
      [{ onnx: new Uint8Array(0) }, RangeError, /input\.onnx/],
      [{ onnx: 'bytes' as never }, TypeError, /input\.onnx/],
      [{ modelJson: '{not json' }, RangeError, /input\.modelJson/],
      [{ contentSha256: 'ABC' }, RangeError, /input\.contentSha256/],
      [{ testSample: { rows: [[1]], scores: [[0.5]] } }, RangeError, /testSample\.rows\[0\]/],
      [{ testSample: { rows: [[1, Infinity]], scores: [[0.5]] } }, RangeError, /testSample\.rows\[0\]\[1\]/],
      [{ testSample: { rows: [], scores: [[0.5]] } }, RangeError, /testSample/],
      [
        {
          signature: {
            ...good.signature,
            inputs: [good.signature.inputs[0], { ...good.signature.inputs[1], index: 1 }],
          },
        },
        RangeError,
        /index 1 is used twice/,
      ],
      [{ lineage: [] as never }, TypeError, /input\.lineage/],
    ];
    for (const [override, type, message] of cases) {
      const call = registry.registerVersion({ ...good, ...override });
      await expect(call).rejects.toBeInstanceOf(type);
      await expect(call).rejects.toThrow(message);
    }
    await expect(registry.listVersions(model)).rejects.toBeInstanceOf(ModelNotFoundError);
    expect(await outboxOf(model)).toEqual([]);
  });

  it('moves and deletes an alias, numbering its history 1, 2, 3…, and queues an event per move', async () => {
    const model = uniqueModel('alias');
    await registerMany(model, 3);
    const m1 = await registry.moveAlias({
      model,
      alias: 'production',
      version: 1,
      actor: 'ana',
      reason: 'first',
      expectedVersion: null,
    });
    expect(m1).toMatchObject({
      model,
      alias: 'production',
      fromVersion: null,
      toVersion: 1,
      actor: 'ana',
      reason: 'first',
      sequence: 1,
      changed: true,
    });
    const m2 = await registry.moveAlias({
      model,
      alias: 'production',
      version: 2,
      actor: 'bo',
      reason: 'better auc',
      expectedVersion: 1,
    });
    expect(m2).toMatchObject({ fromVersion: 1, toVersion: 2, sequence: 2, changed: true });
    await registry.moveAlias({ model, alias: 'staging', version: 3, actor: 'ana', reason: 'try it' });
    expect(await registry.getAliases(model)).toEqual({ production: 2, staging: 3 });
    expect(await registry.resolveAlias(model, 'production')).toBe(2);

    // Where it is already: nothing written, the move that put it there reported.
    const same = await registry.moveAlias({ model, alias: 'production', version: 2, actor: 'cy', reason: 'again' });
    expect(same).toEqual({ ...m2, fromVersion: 2, toVersion: 2, changed: false });

    const deleted = await registry.moveAlias({
      model,
      alias: 'production',
      version: null,
      actor: 'bo',
      reason: 'rollback all',
    });
    expect(deleted).toMatchObject({ fromVersion: 2, toVersion: null, sequence: 3, changed: true });
    expect(await registry.resolveAlias(model, 'production')).toBeNull();
    expect(await registry.getAliases(model)).toEqual({ staging: 3 });
    const deletedAgain = await registry.moveAlias({
      model,
      alias: 'production',
      version: null,
      actor: 'bo',
      reason: 'x',
    });
    expect(deletedAgain).toMatchObject({ fromVersion: null, toVersion: null, sequence: 3, changed: false });
    const never = await registry.moveAlias({ model, alias: 'canary', version: null, actor: 'bo', reason: 'x' });
    expect(never).toMatchObject({ fromVersion: null, toVersion: null, sequence: 0, changed: false });

    const back = await registry.moveAlias({
      model,
      alias: 'production',
      version: 1,
      actor: 'ana',
      reason: 'back',
      expectedVersion: null,
    });
    expect(back).toMatchObject({ fromVersion: null, toVersion: 1, sequence: 4 });

    const production = await registry.aliasHistory(model, 'production');
    expect(production.map((m) => [m.fromVersion, m.toVersion, m.sequence, m.actor])).toEqual([
      [null, 1, 1, 'ana'],
      [1, 2, 2, 'bo'],
      [2, null, 3, 'bo'],
      [null, 1, 4, 'ana'],
    ]);
    const { changed: _changed, ...firstMove } = m1;
    expect(production[0]).toEqual(firstMove);
    expect((await registry.aliasHistory(model)).map((m) => `${m.alias}:${m.sequence}`)).toEqual([
      'production:1',
      'production:2',
      'staging:1',
      'production:3',
      'production:4',
    ]);
    expect((await registry.listModels()).find((m) => m.model === model)!.aliases).toEqual({
      production: 1,
      staging: 3,
    });

    const moves = (await outboxOf(model)).filter((e): e is AliasMovedEvent => e.type === 'alias_moved');
    expect(moves.map((e) => [e.alias, e.fromVersion, e.toVersion, e.version])).toEqual([
      ['production', null, 1, 1],
      ['production', 1, 2, 2],
      ['staging', null, 3, 3],
      ['production', 2, null, null],
      ['production', null, 1, 1],
    ]);
    expect(moves[1]).toEqual({
      type: 'alias_moved',
      eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      model,
      alias: 'production',
      fromVersion: 1,
      toVersion: 2,
      actor: 'bo',
      reason: 'better auc',
      occurredAt: m2.movedAt,
      version: 2,
    });
  });

  it('refuses a move to a version or model that does not exist, a stale expectation and a bad name, writing nothing', async () => {
    const model = uniqueModel('refuse');
    await registerMany(model, 2);
    await registry.moveAlias({ model, alias: 'production', version: 1, actor: 'ana', reason: 'r' });
    const before = { history: await historyRows(model), outbox: await outboxOf(model) };

    const unknownVersion = registry.moveAlias({ model, alias: 'production', version: 9, actor: 'ana', reason: 'r' });
    await expect(unknownVersion).rejects.toBeInstanceOf(VersionNotFoundError);
    await expect(unknownVersion).rejects.toMatchObject({ retriable: false, version: 9 });
    await expect(
      registry.moveAlias({ model: uniqueModel('nobody'), alias: 'production', version: 1, actor: 'a', reason: 'r' }),
    ).rejects.toBeInstanceOf(ModelNotFoundError);
    const stale = registry.moveAlias({
      model,
      alias: 'production',
      version: 2,
      actor: 'a',
      reason: 'r',
      expectedVersion: null,
    });
    await expect(stale).rejects.toBeInstanceOf(AliasConflictError);
    await expect(stale).rejects.toMatchObject({ expectedVersion: null, actualVersion: 1, retriable: false });
    await expect(
      registry.moveAlias({ model, alias: 'Production', version: 2, actor: 'a', reason: 'r' }),
    ).rejects.toThrow(RangeError);
    await expect(
      registry.moveAlias({ model, alias: 'p'.repeat(64), version: 2, actor: 'a', reason: 'r' }),
    ).rejects.toThrow(/input\.alias/);
    await expect(
      registry.moveAlias({ model, alias: 'production', version: 0, actor: 'a', reason: 'r' }),
    ).rejects.toThrow(/input\.version/);
    await expect(
      registry.moveAlias({ model, alias: 'production', version: 2, actor: '', reason: 'r' }),
    ).rejects.toThrow(/input\.actor/);

    expect(await historyRows(model)).toEqual(before.history);
    expect(await outboxOf(model)).toEqual(before.outbox);
    expect(await registry.resolveAlias(model, 'production')).toBe(1);
  });

  it('commits a registration or a move only with its lifecycle event: if the event cannot be queued, neither happens', async () => {
    const model = uniqueModel('atomic');
    await registerMany(model, 1);
    const rejected = uniqueModel('rejected');
    // A constraint refusing these models' new events stands in for a crash between the two writes.
    await storage.dataSource.query(
      `ALTER TABLE model_lifecycle_outbox ADD CONSTRAINT spec_refuses CHECK (payload->>'model' NOT IN ('${rejected}', '${model}')) NOT VALID`,
    );
    try {
      await expect(registry.registerVersion(newVersion(rejected, 1))).rejects.toThrow(/spec_refuses/);
      await expect(registry.registerVersion(newVersion(model, 2))).rejects.toThrow(/spec_refuses/);
      await expect(
        registry.moveAlias({ model, alias: 'production', version: 1, actor: 'a', reason: 'r' }),
      ).rejects.toThrow(/spec_refuses/);
    } finally {
      await storage.dataSource.query(`ALTER TABLE model_lifecycle_outbox DROP CONSTRAINT spec_refuses`);
    }
    await expect(registry.listVersions(rejected)).rejects.toBeInstanceOf(ModelNotFoundError);
    expect((await registry.listVersions(model)).map((v) => v.version)).toEqual([1]);
    expect(await registry.resolveAlias(model, 'production')).toBeNull();
    expect(await historyRows(model)).toEqual([]);
    // The number the failed registration would have taken is free: no gap.
    expect((await registry.registerVersion(newVersion(model, 2))).version).toBe(2);
  });

  it('of 10 concurrent compare-and-set moves from the same version, exactly one wins and the others conflict', async () => {
    const model = uniqueModel('cas');
    await registerMany(model, 11);
    await registry.moveAlias({ model, alias: 'production', version: 1, actor: 'setup', reason: 'start' });
    const outboxBefore = (await outboxOf(model)).length;

    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        registry.moveAlias({
          model,
          alias: 'production',
          version: i + 2,
          actor: `racer-${i}`,
          reason: 'race',
          expectedVersion: 1,
        }),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(9);
    for (const err of lost) {
      expect(err).toBeInstanceOf(AliasConflictError);
      expect(err).toMatchObject({ expectedVersion: 1, actualVersion: won[0].toVersion, retriable: false });
    }
    expect(won[0]).toMatchObject({ fromVersion: 1, sequence: 2, changed: true });
    const history = await historyRows(model);
    expect(history.map((h) => [h.from_version, h.to_version, h.sequence])).toEqual([
      [null, 1, 1],
      [1, won[0].toVersion, 2],
    ]);
    expect(await registry.resolveAlias(model, 'production')).toBe(won[0].toVersion);
    expect((await outboxOf(model)).length).toBe(outboxBefore + 1);
  });

  it('applies 10 concurrent unconditional moves one after another: gapless sequences, each from the previous', async () => {
    const model = uniqueModel('serial');
    await registerMany(model, 10);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        registry.moveAlias({ model, alias: 'production', version: i + 1, actor: `mover-${i}`, reason: 'rollout' }),
      ),
    );
    expect(results.every((r) => r.changed)).toBe(true);
    const history = await registry.aliasHistory(model, 'production');
    expect(history.map((h) => h.sequence)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(history[0].fromVersion).toBeNull();
    for (let i = 1; i < history.length; i++) expect(history[i].fromVersion).toBe(history[i - 1].toVersion);
    expect(new Set(history.map((h) => h.toVersion)).size).toBe(10);
    for (let i = 1; i < history.length; i++)
      expect(Date.parse(history[i].movedAt)).toBeGreaterThanOrEqual(Date.parse(history[i - 1].movedAt));
    expect(await registry.resolveAlias(model, 'production')).toBe(history[9].toVersion);
    // Each caller got the row its move wrote; the events are in the same order as the history.
    expect([...results].sort((a, b) => a.sequence - b.sequence).map((r) => r.toVersion)).toEqual(
      history.map((h) => h.toVersion),
    );
    const events = (await outboxOf(model)).filter((e): e is AliasMovedEvent => e.type === 'alias_moved');
    expect(events.map((e) => [e.fromVersion, e.toVersion])).toEqual(history.map((h) => [h.fromVersion, h.toVersion]));
  });

  it('hands out pending lifecycle events oldest first and forgets them once marked published', async () => {
    // Publish what earlier tests queued, so what follows is this test's own.
    for (
      let page = await registry.pendingLifecycleEvents(1000);
      page.length > 0;
      page = await registry.pendingLifecycleEvents(1000)
    )
      expect(await registry.markLifecycleEventsPublished(page.map((e) => e.id))).toBe(page.length);
    expect(await registry.pendingLifecycleEvents()).toEqual([]);

    const model = uniqueModel('outbox');
    await registry.registerVersion(newVersion(model, 1));
    await registry.moveAlias({ model, alias: 'production', version: 1, actor: 'ana', reason: 'ship' });
    await registry.registerVersion(newVersion(model, 2));
    const pending = await registry.pendingLifecycleEvents();
    expect(pending.map((e) => [e.payload.type, e.payload.version])).toEqual([
      ['registered', 1],
      ['alias_moved', 1],
      ['registered', 2],
    ]);
    expect(pending.every((e) => e.payload.model === model && !Number.isNaN(Date.parse(e.createdAt)))).toBe(true);
    expect((await registry.pendingLifecycleEvents(2)).map((e) => e.id)).toEqual(pending.slice(0, 2).map((e) => e.id));

    expect(await registry.markLifecycleEventsPublished([pending[0].id, pending[1].id])).toBe(2);
    // Marking again (a relay retrying after a lost ack) changes nothing.
    expect(await registry.markLifecycleEventsPublished([pending[0].id])).toBe(0);
    expect((await registry.pendingLifecycleEvents()).map((e) => e.id)).toEqual([pending[2].id]);
    expect(await registry.markLifecycleEventsPublished([])).toBe(0);
    await expect(registry.markLifecycleEventsPublished(['1; DROP TABLE x'])).rejects.toThrow(TypeError);
    await expect(registry.pendingLifecycleEvents(0)).rejects.toThrow(RangeError);
  });

  it("keeps a version's reference profile, and null for a version registered without one", async () => {
    const model = uniqueModel('profiled');
    const profile = {
      rows: 3,
      features: { f: { kind: 'numeric', edges: [0, 1], counts: [3] } },
      score: { kind: 'numeric' },
    };
    await registry.registerVersion({ ...newVersion(model, 1), referenceProfile: profile });
    await registry.registerVersion(newVersion(model, 2));
    expect((await registry.getVersion(model, 1)).referenceProfile).toEqual(profile);
    expect((await registry.getVersion(model, 2)).referenceProfile).toBeNull();
  });

  it('has a migration that reverts and applies again', async () => {
    const migration = new CreateModelRegistry1795900000000();
    const runner = storage.dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      expect(
        await runner.query(
          `SELECT to_regclass('model_versions') AS v, to_regclass('model_aliases') AS a, to_regclass('model_alias_history') AS h,
                  to_regclass('training_jobs') AS j, to_regclass('model_lifecycle_outbox') AS o`,
        ),
      ).toEqual([{ v: null, a: null, h: null, j: null, o: null }]);
      await migration.up(runner);
      // and the later migrations of its tables
      await new ModelReferenceProfile1796100000000().up(runner);
    } finally {
      await runner.release();
    }
    const model = uniqueModel('after');
    expect((await registry.registerVersion(newVersion(model, 1))).version).toBe(1);
  });
});
