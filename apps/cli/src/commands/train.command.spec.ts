import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSimulation } from '@pulse/simulator';
import { initStorage, ModelRegistryRepository } from '@pulse/storage';
import { createTestDatabase, type TestDatabase } from '@pulse/testing';

const root = path.resolve(__dirname, '../../../..');
const pulse = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(root, 'dist/apps/cli/main.js'), ...args], {
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, DATABASE_URL: '' },
  });

interface Summary {
  model: string;
  task: string;
  version: number | null;
  alias: string | null;
  rows: { train: number; validation: number; test: number };
  class_balance: Record<string, number>;
  metrics: Record<string, number>;
  baseline: Record<string, number | string>;
  oracle: { auc: number; model_auc: number; matched: number } | null;
  gates: { name: string; passed: boolean; value: number | null; threshold: number }[];
  content_sha256: string;
  gates_passed: boolean;
}

function trainJson(...args: string[]): Summary {
  const r = pulse('train', ...args, '--json');
  if (r.status !== 0) throw new Error(`pulse train failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Summary;
}

describe('pulse train on a simulated export (2,000 learners × 60 days)', () => {
  let dir: string;
  let events: string;
  let oracle: string;
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(root, 'tools/build.mjs')], { cwd: root, stdio: 'pipe' });
    dir = mkdtempSync(path.join(tmpdir(), 'pulse-train-'));
    events = path.join(dir, 'events.jsonl');
    oracle = path.join(dir, 'oracle.csv');
    const sim = pulse(
      'simulate',
      '--seed',
      '2026',
      '--learners',
      '2000',
      '--days',
      '60',
      '--out',
      events,
      '--oracle',
      oracle,
      '--no-progress',
    );
    if (sim.status !== 0) throw new Error(sim.stderr);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lesson_completion: test AUC > 0.70 and within 0.03 of the oracle on the same test examples', () => {
    const s = trainJson('lesson_completion', '--events', events, '--oracle', oracle);
    expect(s).toMatchObject({ model: 'lesson_completion', task: 'binary', version: null });
    expect(s.metrics.auc).toBeGreaterThan(0.7);
    expect(s.oracle!.matched).toBe(s.rows.test);
    expect(s.oracle!.auc - s.metrics.auc).toBeLessThan(0.03);
    expect(s.metrics.logloss).toBeLessThan(Number(s.baseline.logloss));
    expect(typeof s.baseline.auc).toBe('number');
    expect(s.gates.find((g) => g.name === 'auc > 0.7')).toMatchObject({ passed: true, threshold: 0.7 });
    expect(s.rows.train).toBeGreaterThan(s.rows.validation);
  }, 300_000);

  it('dropout_risk: accuracy > 0.75, at least 0.05 over the majority class, no class under 10 %', () => {
    const s = trainJson('dropout_risk', '--events', events);
    expect(s.task).toBe('multiclass');
    expect(s.metrics.accuracy).toBeGreaterThan(0.75);
    expect(String(s.baseline.name)).toMatch(/^majority class/);
    expect(s.metrics.accuracy - Number(s.baseline.accuracy)).toBeGreaterThanOrEqual(0.05);
    const total = Object.values(s.class_balance).reduce((a, b) => a + b, 0);
    for (const [cls, n] of Object.entries(s.class_balance)) expect([cls, n / total >= 0.1]).toEqual([cls, true]);
    for (const m of ['accuracy', 'macro_f1', 'mlogloss']) expect(typeof s.metrics[m]).toBe('number');
  }, 300_000);

  it('prints metrics next to baseline and oracle, and every gate, as text', () => {
    const r = pulse(
      'train',
      'lesson_completion',
      '--events',
      events,
      '--oracle',
      oracle,
      '--params',
      'num_boost_round=30',
      '--no-progress',
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/metric\s+model\s+baseline\s+oracle/);
    expect(r.stdout).toMatch(/^auc\s+0\.\d{4}\s+0\.\d{4}\s+0\.\d{4}$/m);
    expect(r.stdout).toMatch(/PASS {2}auc > 0\.7/);
  }, 300_000);
});

describe('pulse train: bad input', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'pulse-train-bad-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names an unknown model', () => {
    const r = pulse('train', 'churn', '--events', 'x.jsonl');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/unknown model "churn" \(known: lesson_completion, dropout_risk\)/);
  });
  it('names the line and column of a line that is not JSON', () => {
    const file = path.join(dir, 'broken.jsonl');
    writeFileSync(file, '\n{"event_id": "a"\n');
    const r = pulse('train', 'lesson_completion', '--events', file);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/broken\.jsonl line 2( column \d+)?: not JSON/);
  });
  it('names the row and column of a bad oracle probability', () => {
    const file = path.join(dir, 'oracle.csv');
    writeFileSync(file, 'event_id,probability\ne1,0.5\ne2,1.5\n');
    const events = path.join(dir, 'one.jsonl');
    writeFileSync(events, '');
    const r = pulse('train', 'lesson_completion', '--events', events, '--oracle', file);
    expect(r.stderr).toMatch(/oracle\.csv row 3 column 2 \(probability\): expected a number in \[0, 1\], got "1.5"/);
  });
  it('rejects malformed --params with the pair', () => {
    const r = pulse('train', 'lesson_completion', '--events', 'x', '--params', 'eta');
    expect(r.stderr).toMatch(/expected k=v pairs, got "eta"/);
  });
});

describe('pulse train --database-url: registers versions and aliases them', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('pulse_cli_train');
    const storage = await initStorage({ url: db.url });
    try {
      const sim = [...createSimulation({ seed: 5, learners: 300, days: 35, startTimeMs: Date.UTC(2026, 0, 5) })];
      for (let i = 0; i < sim.length; i += 20_000) await storage.eventLog.appendMany(sim.slice(i, i + 20_000));
    } finally {
      await storage.close();
    }
  }, 120_000);
  afterAll(() => db.drop());

  it('makes the first passing version champion, and an equal retrain a challenger with the same contents', async () => {
    const args = ['lesson_completion', '--database-url', db.url, '--params', 'eta=0.1,num_boost_round=150'];
    const first = trainJson(...args);
    expect(first).toMatchObject({ version: 1, alias: 'champion' });
    const second = trainJson(...args);
    expect(second).toMatchObject({ version: 2, alias: 'challenger' });
    const shuffled = trainJson(...args, '--permute-labels', '7');
    expect(shuffled).toMatchObject({ version: 3, alias: null, gates_passed: false });
    expect(shuffled.gates.find((g) => g.name === 'auc > 0.7')).toMatchObject({ passed: false });
    expect(second.content_sha256).toBe(first.content_sha256);
    const storage = await initStorage({ url: db.url });
    try {
      const registry = new ModelRegistryRepository(storage.dataSource);
      expect(await registry.getAliases('lesson_completion')).toEqual({ champion: 1, challenger: 2 });
      expect((await registry.getVersion('lesson_completion', 3)).gatesPassed).toBe(false);
      const v2 = await registry.getVersion('lesson_completion', 2, { withArtifacts: true });
      expect(v2.gates.find((g) => g.name === 'champion')).toMatchObject({ passed: false });
      expect(v2.artifacts!.reportHtml).toContain('lesson_completion');
      const history = await registry.aliasHistory('lesson_completion');
      expect(history.map((h) => [h.alias, h.fromVersion, h.toVersion])).toEqual([
        ['champion', null, 1],
        ['challenger', null, 2],
      ]);
    } finally {
      await storage.close();
    }
  }, 300_000);
});
