// Compiles every app and lib with swc into dist/, mirroring the tree (apps/x/src/y.ts -> dist/apps/x/y.js,
// apps/x/bench/y.ts -> dist/apps/x/bench/y.js) and rewriting @pulse/* aliases to relative paths, so
// `node dist/apps/<name>/main.js` runs with plain Node. Incremental by mtime; `--clean` rebuilds all.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const swc = require('@swc/core');
const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));

const aliases = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    alias,
    path.join(root, 'dist', target.replace(/\/src\//, '/').replace(/\.ts$/, '.js')),
  ]),
);

function outPath(src) {
  const rel = path
    .relative(root, src)
    .replace(/\/src\//, '/')
    .replace(/\.ts$/, '.js');
  return path.join(root, 'dist', rel);
}

function* sources(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name === 'test') continue;
      yield* sources(full);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts')) {
      yield full;
    }
  }
}

function projectDirs() {
  const dirs = [];
  for (const kind of ['apps', 'libs']) {
    const base = path.join(root, kind);
    if (!fs.existsSync(base)) continue;
    for (const name of fs.readdirSync(base)) {
      for (const sub of ['src', 'bench']) dirs.push(path.join(base, name, sub));
    }
  }
  return dirs;
}

const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: true,
};

export async function build({ clean = false, quiet = false } = {}) {
  if (clean) fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  let compiled = 0;
  for (const dir of projectDirs()) {
    for (const src of sources(dir)) {
      const out = outPath(src);
      if (!clean && fs.existsSync(out) && fs.statSync(out).mtimeMs >= fs.statSync(src).mtimeMs) continue;
      const { code, map } = await swc.transformFile(src, {
        ...swcOptions,
        filename: src,
        sourceFileName: path.relative(path.dirname(out), src),
      });
      const rewritten = code.replace(/require\("(@pulse\/[a-z0-9-]+)"\)/g, (whole, alias) => {
        const target = aliases[alias];
        if (!target) return whole;
        let rel = path.relative(path.dirname(out), target);
        if (!rel.startsWith('.')) rel = `./${rel}`;
        return `require(${JSON.stringify(rel)})`;
      });
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, `${rewritten}\n//# sourceMappingURL=${path.basename(out)}.map\n`);
      if (map) fs.writeFileSync(`${out}.map`, map);
      compiled++;
    }
  }
  if (!quiet) console.log(`build: ${compiled} file(s) compiled into dist/`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  build({ clean: process.argv.includes('--clean') }).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
