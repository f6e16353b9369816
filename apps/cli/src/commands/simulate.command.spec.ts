import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeEngagementEvent, LEARNING_ENGAGEMENT_CATALOG } from '@pulse/contracts';
import { createBus } from '@pulse/bus';
import { kafkaTestBusOptions, randomName, waitFor } from '@pulse/testing';

const root = path.resolve(__dirname, '../../../..');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(root, 'dist/apps/cli/main.js'), 'simulate', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('pulse simulate', () => {
  let dir: string;
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(root, 'tools/build.mjs')], { cwd: root, stdio: 'pipe' });
    dir = mkdtempSync(path.join(tmpdir(), 'pulse-simulate-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the same valid JSONL stream and oracle for the same seed', () => {
    const run = (name: string, seed: string) => {
      const r = cli(
        '--seed',
        seed,
        '--learners',
        '5',
        '--days',
        '3',
        '--start',
        '2026-01-05',
        '--out',
        path.join(dir, `${name}.jsonl`),
        '--oracle',
        path.join(dir, `${name}.csv`),
        '--no-progress',
      );
      expect(r.status).toBe(0);
      return {
        events: readFileSync(path.join(dir, `${name}.jsonl`), 'utf8'),
        oracle: readFileSync(path.join(dir, `${name}.csv`), 'utf8'),
      };
    };
    const a = run('a', '42');
    const b = run('b', '42');
    const c = run('c', '43');
    expect(b).toEqual(a);
    expect(c.events).not.toEqual(a.events);
    const lines = a.events.trim().split('\n');
    expect(lines.length).toBeGreaterThan(20);
    const verdicts = lines.map((l) =>
      decodeEngagementEvent(Buffer.from(l), 'application/json', LEARNING_ENGAGEMENT_CATALOG, {
        nowMs: Date.parse('2026-02-01'),
      }),
    );
    expect(verdicts.filter((v) => !v.ok)).toEqual([]);
    expect(a.oracle.split('\n')[0]).toBe(
      'event_id,entity_id,content_id,channel,sent_at,probability,completed_within_48h,window_observed',
    );
  });

  it('goes on live after the backfill with --live, until interrupted', async () => {
    const out = path.join(dir, 'live.jsonl');
    const child = spawn(process.execPath, [
      path.join(root, 'dist/apps/cli/main.js'),
      'simulate',
      '--live',
      '--days',
      '2',
      '--learners',
      '20',
      '--invalid',
      '0.05',
      '--out',
      out,
      '--no-progress',
    ]);
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await waitFor(() => stderr.includes('reached the present'), {
        timeoutMs: 30_000,
        message: 'the backfill reached the present',
      });
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/\[interrupted\]/);
    const times = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => Date.parse((JSON.parse(l) as { event_time: string }).event_time));
    expect(times.length).toBeGreaterThan(10);
    // Nothing from the future but the deliberately invalid century-ahead events.
    expect(times.filter((t) => t > Date.now() && t < Date.now() + 365 * 86_400_000)).toEqual([]);
  });

  it('refuses --start with --live', () => {
    const r = cli('--live', '--start', '2026-01-05', '--out', '-');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--live/);
  });

  it('names the option that is wrong', () => {
    const r = cli('--learners', 'many', '--out', '-');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--learners/);
  });

  it('publishes to Kafka keyed by learner', async () => {
    const topic = randomName('simulate-cli');
    const r = cli(
      '--seed',
      '7',
      '--learners',
      '4',
      '--days',
      '2',
      '--kafka',
      kafkaTestBusOptions().brokers.join(','),
      '--topic',
      topic,
      '--no-idempotent',
      '--no-progress',
    );
    expect(r.status).toBe(0);
    const bus = createBus({ brokers: kafkaTestBusOptions().brokers, kafka: kafkaTestBusOptions() });
    const received: string[] = [];
    const sub = await bus.subscribe({
      groupId: randomName('reader'),
      topics: [topic],
      fromBeginning: true,
      handler: async (batch) => void received.push(...batch.map((m) => m.key ?? '')),
    });
    try {
      await waitFor(
        () => received.length > 0 && received.every((k) => /^learner-\d{6}$/.test(k)) && new Set(received).size === 4,
        { timeoutMs: 30_000, message: 'simulated events on the topic' },
      );
    } finally {
      await sub.stop();
      await bus.close();
    }
  });
});
