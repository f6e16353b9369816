import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// `npm ci` (Docker builds, CI pipelines, tools/bootstrap.mjs) refuses a lockfile that lacks an entry
// for any optional dependency, including other platforms' binaries that npm skips installing here.
describe('package-lock.json', () => {
  const root = join(__dirname, '..', '..', '..', '..');
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; optionalDependencies?: Record<string, string> }>;
  };
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };

  it('has an entry for every optional dependency of every locked package (all platforms)', () => {
    const missing: string[] = [];
    for (const [at, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        // npm resolves a dependency in the nearest node_modules up the tree.
        const candidates: string[] = [];
        for (let dir = at; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules')))) {
          candidates.push(`${dir === '' ? '' : `${dir}/`}node_modules/${name}`);
          if (dir === '') break;
        }
        if (!candidates.some((c) => c in lock.packages)) missing.push(`${name} (of ${at || 'the root'})`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('locks every direct dependency of package.json', () => {
    const direct = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)];
    expect(direct.filter((name) => lock.packages[`node_modules/${name}`] === undefined)).toEqual([]);
  });
});
