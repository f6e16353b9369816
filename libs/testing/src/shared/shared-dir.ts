import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Where the workplace's shared folder (the SPEC, the datasets, benchmark data) is, in order:
 * PULSE_SHARED_DIR; `../shared` next to the repository; in a clone of a local repository,
 * `../shared` next to that origin (a clean clone made elsewhere still finds the data).
 */
export function sharedDirCandidates(repoRoot: string): string[] {
  const out: string[] = [];
  if (process.env.PULSE_SHARED_DIR) out.push(path.resolve(process.env.PULSE_SHARED_DIR));
  out.push(path.resolve(repoRoot, '..', 'shared'));
  const origin = localOrigin(repoRoot);
  if (origin !== undefined) out.push(path.resolve(origin, '..', 'shared'));
  return [...new Set(out)];
}

/** The shared folder holding `probe` (a relative path), or an Error naming every place looked at. */
export function sharedDir(repoRoot: string = process.cwd(), probe = '.'): string {
  const candidates = sharedDirCandidates(repoRoot);
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, probe)));
  if (found === undefined)
    throw new Error(`shared folder with ${probe} not found; looked in ${candidates.join(', ')} (set PULSE_SHARED_DIR)`);
  return found;
}

/** The shared datasets folder (…/shared/datasets, with the LightGBM example sets). */
export function sharedDatasetsDir(repoRoot: string = process.cwd()): string {
  return path.join(sharedDir(repoRoot, path.join('datasets', 'lgb_binary_classification', 'train.csv')), 'datasets');
}

function localOrigin(repoRoot: string): string | undefined {
  let url: string;
  try {
    url = execFileSync('git', ['-C', repoRoot, 'config', '--get', 'remote.origin.url'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
  if (url.startsWith('file://')) url = url.slice('file://'.length);
  return path.isAbsolute(url) && fs.existsSync(url) ? url : undefined;
}
