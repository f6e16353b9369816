// `npm run bench:<name>`: installs the references a benchmark compares against, builds, runs it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const benches = {
  ingest: { apt: 'kcat', entry: 'dist/apps/feature-service/bench/ingest.bench.js' },
  gbdt: { apt: 'python3-xgboost,python3-sklearn', entry: 'dist/libs/gbdt/bench/gbdt.bench.js' },
  training: { apt: 'python3-xgboost,python3-sklearn', entry: 'dist/apps/training-service/bench/training.bench.js' },
  inference: { apt: 'kcat', entry: 'dist/apps/inference-service/bench/inference.bench.js' },
};
const name = process.argv[2];
const bench = benches[name];
if (!bench) {
  console.error(`unknown benchmark "${name}"; known: ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
const boot = spawnSync(process.execPath, [path.join(root, 'tools/bootstrap.mjs'), `--apt=${bench.apt}`], {
  stdio: 'inherit',
});
if (boot.status !== 0) process.exit(boot.status ?? 1);
const { status } = spawnSync(
  process.execPath,
  ['--max-old-space-size=8192', path.join(root, bench.entry), ...process.argv.slice(3)],
  { cwd: root, stdio: 'inherit' },
);
process.exit(status ?? 1);
