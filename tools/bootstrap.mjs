// Makes a fresh clone ready: installs npm dependencies when they are missing or stale, installs the
// Debian packages the tests need (kcat hosts the Kafka mock cluster; python3-onnx runs the ONNX
// checker; chromium renders the training report headless; prometheus brings promtool for the alert
// rules' tests; python3-confluent-kafka runs the client docs' Python snippets; python3-scipy, -statsmodels and
// -sklearn are the references the statistics, drift and quality metrics are checked against), and builds dist/. Uses only Node
// built-ins because it runs before `npm ci`.
import { execSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const forTests = process.argv.includes('--for-tests');
const aptFor = (process.argv.find((a) => a.startsWith('--apt=')) ?? '')
  .slice('--apt='.length)
  .split(',')
  .filter(Boolean);

function run(cmd, opts = {}) {
  console.log(`bootstrap: ${cmd}`);
  execSync(cmd, { cwd: root, stdio: 'inherit', ...opts });
}

function npmDepsStale() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  if (!fs.existsSync(marker)) return true;
  return fs.statSync(path.join(root, 'package-lock.json')).mtimeMs > fs.statSync(marker).mtimeMs;
}

function installed(pkg) {
  const out = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return out.status === 0 && out.stdout.includes('install ok installed');
}

function ensureDebianPackages(wanted) {
  const packages = wanted.filter((p) => !installed(p));
  if (packages.length === 0) return;
  const sudo = process.getuid && process.getuid() === 0 ? '' : 'sudo ';
  run(`${sudo}apt-get update -qq`);
  run(`${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${packages.join(' ')}`);
}

// `npm ci`, as Docker builds and CI pipelines do: exactly the locked versions. The lockfile lists every
// platform's optional binaries (swc, buf, nx), which `npm ci` requires; a test keeps it so.
if (npmDepsStale()) run('npm ci --no-audit --no-fund');

ensureDebianPackages([
  ...new Set([
    ...aptFor,
    ...(forTests
      ? [
          'kcat',
          'python3-onnx',
          'chromium',
          'prometheus',
          'python3-confluent-kafka',
          'python3-scipy',
          'python3-statsmodels',
          'python3-sklearn',
        ]
      : []),
  ]),
]);

const { build } = await import('./build.mjs');
await build();
