/**
 * @jest-environment ./libs/testing/jest/native-realm.environment.js
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import type { EngagementEvent } from '@pulse/contracts';
import { evaluateOffline, foldBatchIntoStore, learningEngagementRegistry, type FeatureValues } from '@pulse/features';
import {
  fallbackPrediction,
  lessonCompletionFallback,
  loadServableModel,
  viewGroups,
  type ServableModel,
} from '@pulse/inference';
import { compileModelSpec, DEFAULT_MODELS, type TriggerContext } from '@pulse/models';
import { RedisOnlineStore } from '@pulse/redis-store';
import { createSimulation } from '@pulse/simulator';
import { initStorage, ModelRegistryRepository, type Storage } from '@pulse/storage';
import {
  builtAppMain,
  createTestDatabase,
  ensureBuilt,
  freePort,
  kafkaTestBusOptions,
  randomName,
  randomRedisPrefix,
  ServiceProcess,
  testRedisUrl,
  type TestDatabase,
} from '@pulse/testing';
import { memorySource, runTrainingJob } from '@pulse/training-jobs';

const root = path.resolve(__dirname, '../../../..');
const pulse = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [path.join(root, 'dist/apps/cli/main.js'), ...args], {
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', REDIS_KEY_PREFIX: '', ...env },
  });

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 5);
const registry = learningEngagementRegistry();
const compiled = compileModelSpec(DEFAULT_MODELS.lesson_completion, registry);
const events = [...createSimulation({ seed: 5, learners: 300, days: 35, startTimeMs: START })];
const watermarkMs = events.reduce((m, e) => Math.max(m, e.eventTimeMs), 0);
const byEntity = new Map<string, EngagementEvent[]>();
for (const e of events) byEntity.set(e.entityId, [...(byEntity.get(e.entityId) ?? []), e]);
/** The log's key order (byte order of the ids). */
const allEntities = [...byEntity.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

interface CsvRow {
  entity_id: string;
  model: string;
  version: string;
  alias: string;
  as_of: string;
  score: number;
  label: string;
  risk_tier: string;
  risk_confidence: number;
  probability_0: number;
  probability_1: number;
}

/** The command's CSV (the ids here need no quoting). */
function parseCsv(text: string): { header: string[]; rows: CsvRow[] } {
  const [head, ...lines] = text.trimEnd().split('\n');
  const header = head.split(',');
  const numeric = new Set(['score', 'risk_confidence', 'probability_0', 'probability_1']);
  const rows = lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(header.map((h, i) => [h, numeric.has(h) ? Number(cells[i]) : cells[i]])) as never;
  });
  return { header, rows };
}

/** The training-set builder's values for (entity, time): the entity's events up to it, replayed, view group by group. */
function builderValues(entityId: string, atMs: number): FeatureValues {
  const values: FeatureValues = {};
  for (const g of viewGroups(compiled))
    Object.assign(values, evaluateOffline(byEntity.get(entityId) ?? [], atMs + g.offsetMs, registry, g.views));
  return values;
}

/**
 * What the champion gives on the builder's rows: ServableModel.score on the spec's vector function, in
 * the command's chunks (onnxruntime's float32 sums may differ in the last bit with the batch size).
 */
async function expectedScores(
  servable: ServableModel,
  entities: readonly string[],
  atMs: number,
  chunk: number,
  context: Omit<TriggerContext, 'eventTimeMs'> = {},
): Promise<number[]> {
  const F = compiled.featureNames.length;
  const out: number[] = [];
  for (let k = 0; k < entities.length; k += chunk) {
    const slice = entities.slice(k, k + chunk);
    const rows = new Float32Array(slice.length * F);
    slice.forEach((id, i) =>
      compiled.vector(builderValues(id, atMs), { ...context, eventTimeMs: atMs }, rows.subarray(i * F, (i + 1) * F)),
    );
    out.push(...(await servable.score(rows, slice.length)));
  }
  return out;
}

/** Each row against the champion's score for its entity: probabilities, label and risk tier (risk = P(not completing)). */
function expectRows(
  rows: CsvRow[],
  entities: readonly string[],
  scores: readonly number[],
  atMs: number,
  version = '1',
) {
  expect(rows.map((r) => r.entity_id)).toEqual(entities);
  rows.forEach((r, i) => {
    const p = scores[i];
    const risk = 1 - p;
    expect([r.model, r.version, r.alias, r.as_of]).toEqual([
      'lesson_completion',
      version,
      'champion',
      new Date(atMs).toISOString(),
    ]);
    expect([r.score, r.probability_1, r.probability_0]).toEqual([p, p, 1 - p]);
    expect(r.label).toBe(p >= 0.5 ? '1' : '0');
    expect(r.risk_tier).toBe(risk >= 0.6 ? 'high' : risk >= 0.3 ? 'medium' : 'low');
    expect(r.risk_confidence).toBe(Math.max(risk, 1 - risk));
  });
  expect(new Set(scores).size).toBeGreaterThan(entities.length / 3);
}

interface Summary {
  model: string;
  version: number;
  alias: string;
  rows: number;
  duplicates_skipped: number;
  features: { online: number; offline: number } | null;
  fallback: boolean;
  via: string;
}

describe('pulse score', () => {
  let db: TestDatabase;
  let storage: Storage;
  let champion: ServableModel;
  let dir: string;
  const redisPrefix = randomRedisPrefix('pulse-cli-score');
  const AT = START + 25 * DAY + 12 * 3_600_000;
  const out = () => path.join(dir, `${randomUUID()}.csv`);

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(root, 'tools/build.mjs')], { cwd: root, stdio: 'pipe' });
    dir = mkdtempSync(path.join(tmpdir(), 'pulse-score-'));
    db = await createTestDatabase('pulse_cli_score');
    storage = await initStorage({ url: db.url });
    for (let i = 0; i < events.length; i += 20_000) await storage.eventLog.appendMany(events.slice(i, i + 20_000));
    const models = new ModelRegistryRepository(storage.dataSource);
    const sorted = [...events].sort((a, b) => (a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : 0));
    const outcome = await runTrainingJob({
      spec: DEFAULT_MODELS.lesson_completion,
      featureRegistry: registry,
      source: memorySource('simulated', sorted, watermarkMs),
      registry: models,
      params: { eta: 0.1, num_boost_round: 150 },
      actor: 'score-spec',
    });
    if (outcome.alias !== 'champion') throw new Error(`the trained version is not champion: ${outcome.alias}`);
    const r = await models.getVersion('lesson_completion', 1, { withArtifacts: true });
    champion = await loadServableModel({
      model: 'lesson_completion',
      version: 1,
      signature: r.signature,
      testSample: r.testSample,
      onnx: r.artifacts!.onnx,
      onnxSha256: r.onnxSha256,
      modelJson: r.artifacts!.modelJson,
    });
    // feature-service's online states for every learner, folded from the whole log
    const redis = new Redis(testRedisUrl());
    try {
      await foldBatchIntoStore(new RedisOnlineStore({ redis, keyPrefix: redisPrefix }), events, registry, {
        stateCache: false,
      });
    } finally {
      redis.disconnect();
    }
  }, 300_000);

  afterAll(async () => {
    await champion?.close();
    await storage?.close();
    const redis = new Redis(testRedisUrl());
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  function score(
    args: string[],
    env: Record<string, string> = {},
  ): { summary: Summary; csv: ReturnType<typeof parseCsv> } {
    const file = out();
    const r = pulse(['score', 'lesson_completion', '--out', file, '--json', ...args], env);
    if (r.status !== 0) throw new Error(`pulse score failed (${r.status}): ${r.stderr}`);
    return { summary: JSON.parse(r.stdout) as Summary, csv: parseCsv(readFileSync(file, 'utf8')) };
  }

  it('scores every entity of the log as of a time from its replay: each row what the champion gives on the builder’s row', async () => {
    const { summary, csv } = score(['--database-url', db.url, '--at', new Date(AT).toISOString(), '--chunk', '64']);
    expect(csv.header).toEqual([
      'entity_id',
      'model',
      'version',
      'alias',
      'as_of',
      'score',
      'label',
      'risk_tier',
      'risk_confidence',
      'probability_0',
      'probability_1',
    ]);
    const entities = allEntities.filter((id) => byEntity.get(id)!.some((e) => e.eventTimeMs <= AT));
    expectRows(csv.rows, entities, await expectedScores(champion, entities, AT, 64), AT);
    expect(summary).toMatchObject({
      model: 'lesson_completion',
      version: 1,
      alias: 'champion',
      rows: entities.length,
      features: { online: 0, offline: entities.length },
      fallback: false,
      via: 'database',
    });
  });

  it('reads the online states in Redis when they can answer the time, the log’s replay when they cannot', async () => {
    const later = watermarkMs + DAY;
    const online = score([
      ...['--database-url', db.url, '--redis-url', testRedisUrl(), '--key-prefix', redisPrefix],
      ...['--at', String(later), '--chunk', '100'],
    ]);
    expect(online.summary.features).toEqual({ online: allEntities.length, offline: 0 });
    expectRows(online.csv.rows, allEntities, await expectedScores(champion, allEntities, later, 100), later);
    // The states are newer than AT: the same reader replays the log instead.
    const earlier = score(['--database-url', db.url, '--at', new Date(AT).toISOString(), '--chunk', '64'], {
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: redisPrefix,
    });
    expect(earlier.summary.features!.online).toBe(0);
  });

  it('scores the entities of a file in its order, once each, with the trigger context given', async () => {
    const file = path.join(dir, 'ids.txt');
    const ids = [allEntities[17], 'learner-unknown', allEntities[3], allEntities[250]];
    writeFileSync(file, `${ids[0]}\n\n  ${ids[1]}  \n${ids[2]}\r\n${ids[0]}\n${ids[3]}`);
    const { summary, csv } = score([
      ...['--database-url', db.url, '--entities', file, '--at', new Date(AT).toISOString()],
      ...['--channel', 'sms', '--content-id', 'beginner-lesson-3'],
    ]);
    expect(summary).toMatchObject({ rows: 4, duplicates_skipped: 1 });
    const context = { channel: 'sms', contentId: 'beginner-lesson-3' };
    expectRows(csv.rows, ids, await expectedScores(champion, ids, AT, 5000, context), AT);
    const without = await expectedScores(champion, ids, AT, 5000);
    expect(without).not.toEqual(csv.rows.map((r) => r.score));
  });

  it('writes the CSV to stdout with --out -, the summary to stderr', () => {
    const file = path.join(dir, 'two.txt');
    writeFileSync(file, `${allEntities[0]}\n${allEntities[1]}\n`);
    const r = pulse([
      ...['score', 'lesson_completion', '--database-url', db.url, '--entities', file],
      ...['--at', '2026-02-01', '--out', '-', '--no-progress'],
    ]);
    expect(r.status).toBe(0);
    const { rows } = parseCsv(r.stdout);
    expect(rows.map((x) => [x.entity_id, x.as_of])).toEqual([
      [allEntities[0], '2026-02-01T00:00:00.000Z'],
      [allEntities[1], '2026-02-01T00:00:00.000Z'],
    ]);
    expect(r.stderr).toMatch(
      /^scored 2 entities with lesson_completion version 1 \(champion\) as of 2026-02-01T00:00:00\.000Z into stdout/m,
    );
  });

  it('shows its progress on stderr as lines when stderr is not a terminal', () => {
    const r = pulse(['score', 'lesson_completion', '--database-url', db.url, '--at', String(AT), '--out', out()]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^score: listing the event log's entities with an event at or before /m);
    expect(r.stderr).toMatch(
      /^score: 300 of 300 \(100%\) entities, [\d,]+ rows\/s, features online 0 \/ replayed 300$/m,
    );
    expect(r.stdout).toMatch(/^features: 0 from the online state, 300 replayed from the event log$/m);
  });

  it("scores with the model's rule-based fallback when asked and the alias holds no version", async () => {
    const { summary, csv } = score([
      '--database-url',
      db.url,
      '--alias',
      'challenger',
      '--fallback',
      '--at',
      String(AT),
    ]);
    expect(summary).toMatchObject({ version: 0, alias: 'fallback', fallback: true });
    for (const r of csv.rows.slice(0, 50)) {
      const p = fallbackPrediction(lessonCompletionFallback, builderValues(r.entity_id, AT), { eventTimeMs: AT });
      expect([r.version, r.alias, r.score, r.label, r.risk_tier, r.risk_confidence]).toEqual([
        '0',
        'fallback',
        p.score,
        p.label,
        p.riskTier,
        p.riskConfidence,
      ]);
    }
  });

  describe('bad input', () => {
    const at = ['--at', '2026-02-01T00:00:00Z'];
    const failing = (args: string[], env: Record<string, string> = {}) => {
      const file = out();
      const r = pulse(['score', ...args, '--out', file], env);
      expect(r.status).not.toBe(0);
      expect(() => readFileSync(file)).toThrow(/ENOENT/);
      return r.stderr;
    };

    it('names an unknown model', () => {
      expect(failing(['churn', ...at, '--database-url', db.url])).toMatch(
        /unknown model "churn" \(known: lesson_completion, dropout_risk\)/,
      );
    });
    it('names a missing alias and the aliases there are', () => {
      expect(failing(['lesson_completion', '--alias', 'challenger', ...at, '--database-url', db.url])).toMatch(
        /lesson_completion has no alias "challenger" \(aliases: champion → version 1\); pass --alias, or --fallback/,
      );
    });
    it('names a model without a registered version', () => {
      expect(failing(['dropout_risk', ...at, '--database-url', db.url])).toMatch(
        /no version of dropout_risk is registered in this database/,
      );
    });
    it('refuses a version that fails verification, naming the check', async () => {
      const models = new ModelRegistryRepository(storage.dataSource);
      const r = await models.getVersion('lesson_completion', 1, { withArtifacts: true });
      const { version } = await models.registerVersion({
        model: 'lesson_completion',
        specVersion: r.specVersion,
        task: r.task,
        createdBy: 'score-spec',
        metrics: r.metrics,
        gates: r.gates,
        signature: r.signature,
        lineage: r.lineage,
        evaluation: r.evaluation,
        reportHtml: r.artifacts!.reportHtml,
        onnx: r.artifacts!.onnx,
        modelJson: r.artifacts!.modelJson,
        // scores the artifact does not give
        testSample: { rows: r.testSample.rows, scores: r.testSample.scores.map((s) => s.map((x) => 1 - x)) },
        contentSha256: randomUUID().replace(/-/g, '').padEnd(64, '0'),
      });
      await models.moveAlias({ model: 'lesson_completion', alias: 'shadow', version, actor: 'spec', reason: 'test' });
      expect(failing(['lesson_completion', '--alias', 'shadow', ...at, '--database-url', db.url])).toMatch(
        new RegExp(`shadow of lesson_completion \\(version ${version}\\) cannot score: .*refused \\(test_sample\\)`),
      );
    });
    it('names the expected time format', () => {
      expect(failing(['lesson_completion', '--at', 'last tuesday', '--database-url', db.url])).toMatch(
        /--at <time>.*expected an RFC 3339 time with its zone such as 2026-09-01T12:00:00Z, a date \(2026-09-01, UTC midnight\) or epoch milliseconds, got "last tuesday"/,
      );
      expect(failing(['lesson_completion', '--at', '2026-02-01T10:00:00', '--database-url', db.url])).toMatch(
        /expected an RFC 3339 time with its zone/,
      );
      expect(failing(['lesson_completion', '--at', '2026-02-30', '--database-url', db.url])).toMatch(
        /"2026-02-30" is not a time that exists/,
      );
    });
    it('names the line of an entities file it cannot take, or the file it cannot read', () => {
      const file = path.join(dir, 'bad-ids.txt');
      writeFileSync(file, `learner-000001\n\nlearner-${'x'.repeat(300)}\n`);
      expect(failing(['lesson_completion', ...at, '--entities', file, '--database-url', db.url])).toMatch(
        /bad-ids\.txt line 3: the entity id is 308 characters long; at most 256 are allowed/,
      );
      writeFileSync(file, Buffer.from([0x61, 0x0a, 0xff, 0xfe, 0x0a]));
      expect(failing(['lesson_completion', ...at, '--entities', file, '--database-url', db.url])).toMatch(
        /bad-ids\.txt line 2: not UTF-8 text/,
      );
      writeFileSync(file, '\n \n');
      expect(failing(['lesson_completion', ...at, '--entities', file, '--database-url', db.url])).toMatch(
        /bad-ids\.txt holds no entity id/,
      );
      expect(failing(['lesson_completion', ...at, '--entities', path.join(dir, 'none.txt')])).toMatch(
        /cannot read the entities file .*none\.txt: ENOENT/,
      );
    });
    it('says what needs the database when there is none', () => {
      expect(failing(['lesson_completion', ...at])).toMatch(
        /scoring every entity of the event log needs the database: pass --database-url/,
      );
      const file = path.join(dir, 'one.txt');
      writeFileSync(file, 'learner-000001\n');
      expect(failing(['lesson_completion', ...at, '--entities', file, '--alias', 'shadow'])).toMatch(
        /--alias shadow needs --database-url: the service's batch endpoint answers with its champion only/,
      );
      expect(failing(['lesson_completion', ...at, '--entities', file, '--url', 'http://127.0.0.1:9'])).toMatch(
        /cannot reach inference-service at http:\/\/127\.0\.0\.1:9 .*score from the database with --database-url/,
      );
    });
  });

  describe('through the running inference-service', () => {
    let service: ServiceProcess;
    beforeAll(async () => {
      const kafka = kafkaTestBusOptions();
      service = new ServiceProcess(
        'inference-service',
        await freePort(),
        {
          ...(process.env as Record<string, string>),
          KAFKA_BROKERS: kafka.brokers.join(','),
          KAFKA_IDEMPOTENT: 'false',
          KAFKA_SESSION_TIMEOUT_MS: String(kafka.sessionTimeoutMs),
          KAFKA_HEARTBEAT_INTERVAL_MS: String(kafka.heartbeatIntervalMs),
          KAFKA_MAX_WAIT_MS: String(kafka.maxWaitTimeMs),
          DATABASE_URL: db.url,
          REDIS_URL: testRedisUrl(),
          REDIS_KEY_PREFIX: redisPrefix,
          ENGAGEMENT_TOPIC: randomName('score-events'),
          LIFECYCLE_TOPIC: randomName('score-lifecycle'),
          PREDICTIONS_TOPIC_PREFIX: `${randomName('score-predictions')}.`,
          INFERENCE_CONSUMER_GROUP: randomName('score-inference'),
          INFERENCE_MODELS: 'lesson_completion',
          LOG_LEVEL: 'warn',
        },
        () => ensureBuilt(builtAppMain('inference-service')),
      );
      await service.start();
    }, 180_000);
    afterAll(() => service?.stop());

    it('writes what its batch endpoint answers for the entities of a file, the champion on the online features', async () => {
      const file = path.join(dir, 'service-ids.txt');
      const ids = allEntities.slice(40, 90);
      writeFileSync(file, ids.join('\n'));
      const later = watermarkMs + DAY;
      const { summary, csv } = score(['--entities', file, '--at', String(later), '--url', service.url]);
      expect(summary).toMatchObject({ version: 1, alias: 'champion', rows: 50, features: null, via: 'service' });
      expectRows(csv.rows, ids, await expectedScores(champion, ids, later, 1000), later);
    });
  });
});
