import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../process/service-process';

const run = promisify(execFile);
const PROMETHEUS_DIR = path.join(REPO_ROOT, 'deploy', 'prometheus');

/**
 * deploy/prometheus checked by Prometheus's own tool (Debian's prometheus package, installed by the
 * project's bootstrap): the configuration and every rule file load, and every alert rule's unit tests
 * (deploy/prometheus/tests) pass.
 */
describe('deploy/prometheus with promtool', () => {
  const rules = fs.readdirSync(PROMETHEUS_DIR).filter((f) => f.endsWith('-rules.yml'));
  const tests = fs.readdirSync(path.join(PROMETHEUS_DIR, 'tests')).filter((f) => f.endsWith('.yml'));

  it('has a unit-test file for every rule file', () => {
    expect(rules.length).toBeGreaterThan(0);
    expect(rules.map((r) => r.replace(/\.yml$/, '.test.yml')).sort()).toEqual(tests.sort());
  });

  it('loads the rule files and the configuration', async () => {
    await run('promtool', ['check', 'rules', ...rules.map((r) => path.join(PROMETHEUS_DIR, r))]);
    // The configuration names its rule files where the container mounts them: checked from a copy
    // whose paths point here.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-promtool-'));
    try {
      const config = fs
        .readFileSync(path.join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8')
        .replaceAll('/etc/prometheus/', `${PROMETHEUS_DIR}/`);
      fs.writeFileSync(path.join(dir, 'prometheus.yml'), config);
      const { stdout } = await run('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')]);
      expect(stdout).toContain('SUCCESS');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes every alert rule’s unit tests', async () => {
    const { stdout } = await run(
      'promtool',
      ['test', 'rules', ...tests.map((t) => path.join(PROMETHEUS_DIR, 'tests', t))],
      {
        cwd: path.join(PROMETHEUS_DIR, 'tests'),
      },
    );
    expect(stdout).not.toContain('FAILED');
    expect(stdout.match(/SUCCESS/g)?.length).toBe(tests.length);
  });
});
