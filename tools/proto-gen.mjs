// Regenerates libs/contracts/src/gen/ from proto/ with buf + protoc-gen-es, both pinned in
// package.json and run from node_modules (no network, no globally installed tools), so every
// machine produces byte-identical output. `--check` generates into a temporary directory and fails
// if the committed code differs (for CI).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const genDir = path.join(root, 'libs/contracts/src/gen');
const bin = path.join(root, 'node_modules/.bin');
const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` };
const check = process.argv.includes('--check');

function buf(args, cwd = root) {
  execFileSync(path.join(bin, 'buf'), args, { cwd, env, stdio: 'inherit' });
}

function listFiles(dir, base = dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(full, base) : [path.relative(base, full)];
  });
}

buf(['lint']);
if (!check) {
  buf(['generate']);
  console.log(`proto-gen: ${listFiles(genDir).length} file(s) in ${path.relative(root, genDir)}`);
} else {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-proto-'));
  try {
    // Same template, output redirected: buf resolves `out` relative to the working directory.
    buf(['generate', '--template', path.join(root, 'buf.gen.yaml'), '--output', tmp, root]);
    const fresh = path.join(tmp, 'libs/contracts/src/gen');
    const a = listFiles(genDir).sort();
    const b = listFiles(fresh).sort();
    const stale = [...new Set([...a, ...b])].filter(
      (f) =>
        !a.includes(f) ||
        !b.includes(f) ||
        !fs.readFileSync(path.join(genDir, f)).equals(fs.readFileSync(path.join(fresh, f))),
    );
    if (stale.length > 0) {
      console.error(`proto-gen --check: generated code is out of date (${stale.join(', ')}); run npm run proto:gen`);
      process.exitCode = 1;
    } else {
      console.log('proto-gen --check: generated code is up to date');
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
