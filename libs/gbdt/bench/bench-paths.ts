/** Where the benchmarks find the shared data: PULSE_SHARED_DIR, else ../shared from the repo root (the cwd of npm scripts). */
import fs from 'node:fs';
import path from 'node:path';

export function sharedDir(): string {
  const dir = process.env.PULSE_SHARED_DIR ?? path.resolve(process.cwd(), '..', 'shared');
  if (!fs.existsSync(dir)) throw new Error(`shared directory not found at ${dir}; run from the repo root or set PULSE_SHARED_DIR`);
  return dir;
}

/** Resolves the shared datasets folder from a repo root (used by specs, which know their own location). */
export function datasetsDir(repoRoot: string = process.cwd()): string {
  const dir = process.env.PULSE_SHARED_DIR ? path.join(process.env.PULSE_SHARED_DIR, 'datasets') : path.resolve(repoRoot, '..', 'shared', 'datasets');
  if (!fs.existsSync(path.join(dir, 'lgb_binary_classification', 'train.csv'))) {
    throw new Error(`shared datasets not found at ${dir} (expected ../shared/datasets next to the repo, or PULSE_SHARED_DIR)`);
  }
  return dir;
}
