// The whole test suite: type check, lint (including Nx module boundaries), then Jest against the real
// Postgres, Redis and a Kafka mock cluster that the Jest global setup starts.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const extra = process.argv.slice(2);

const steps = [
  ['typecheck', bin('tsc'), ['-p', 'tsconfig.base.json', '--noEmit']],
  // The module-boundary lint rule reads Nx's project graph, which must exist first.
  ['project graph', bin('nx'), ['show', 'projects']],
  ['format', bin('prettier'), ['--check', '--log-level=warn', '.']],
  ['lint', bin('eslint'), ['--max-warnings=0', '.']],
  ['jest', bin('jest'), ['--ci', ...extra]],
];
for (const [name, cmd, args] of steps) {
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  const { status } = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false' } });
  console.log(`=== ${name}: ${status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s ===`);
  if (status !== 0) process.exit(status ?? 1);
}
