// Compiles apps and libs with swc into dist/, mirroring the tree (apps/x/src/y.ts -> dist/apps/x/y.js,
// apps/x/bench/y.ts -> dist/apps/x/bench/y.js) and rewriting @pulse/* aliases to relative paths, so
// `node dist/apps/<name>/main.js` runs with plain Node.
//   node tools/build.mjs                   every project, incremental by mtime (`--clean`: all afresh)
//   node tools/build.mjs --project <root>  one project (e.g. libs/bus) afresh into dist/<root>: the Nx
//                                          `build` target, which Nx caches and runs after its dependencies'
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

function projectRoots() {
  const roots = [];
  for (const kind of ['apps', 'libs']) {
    const base = path.join(root, kind);
    if (!fs.existsSync(base)) continue;
    for (const name of fs.readdirSync(base)) roots.push(path.join(base, name));
  }
  return roots;
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

/**
 * @param project a project's root relative to the workspace (`libs/bus`): build only it, afresh (its
 *   dist/ directory is emptied first, so removed sources leave no output behind); default: every project
 * @param clean rebuild everything (whole-workspace mode; otherwise only sources newer than their output)
 */
export async function build({ project, clean = false, quiet = false } = {}) {
  let projects;
  if (project !== undefined) {
    const dir = path.resolve(root, project);
    const rel = path.relative(root, dir);
    if (!/^(apps|libs)\/[^/]+$/.test(rel) || !fs.existsSync(dir))
      throw new Error(`build: --project wants a project root such as libs/bus, got ${project}`);
    fs.rmSync(path.join(root, 'dist', rel), { recursive: true, force: true });
    projects = [dir];
    clean = true;
  } else {
    if (clean) fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
    projects = projectRoots();
  }
  let compiled = 0;
  for (const dir of projects.flatMap((p) => ['src', 'bench'].map((sub) => path.join(p, sub)))) {
    for (const src of sources(dir)) {
      const out = outPath(src);
      if (!clean && fs.existsSync(out) && fs.statSync(out).mtimeMs >= fs.statSync(src).mtimeMs) continue;
      const { code, map } = await swc.transformFile(src, {
        ...swcOptions,
        filename: src,
        sourceFileName: path.relative(path.dirname(out), src),
      });
      const rewritten = code.replace(/require\("(@pulse\/[a-z0-9-]+(?:\/[a-z0-9-]+)*)"\)/g, (whole, alias) => {
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
  const where = project === undefined ? 'dist/' : `dist/${path.relative(root, path.resolve(root, project))}/`;
  if (!quiet) console.log(`build: ${compiled} file(s) compiled into ${where}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--project');
  const project = at === -1 ? undefined : process.argv[at + 1];
  if (at !== -1 && (project === undefined || project.startsWith('--'))) {
    console.error('build: --project needs a project root, e.g. --project libs/bus');
    process.exit(2);
  }
  build({ project, clean: process.argv.includes('--clean') }).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
