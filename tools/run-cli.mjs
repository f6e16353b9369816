// `npm run pulse -- <command>`: builds what changed, then runs the CLI from dist/.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from './build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
await build({ quiet: true });
const { status } = spawnSync(process.execPath, [path.join(root, 'dist/apps/cli/main.js'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(status ?? 1);
