/** Where the benchmarks find the shared data (see @pulse/testing's sharedDir: PULSE_SHARED_DIR, ../shared, or next to a local origin). */
import { sharedDatasetsDir, sharedDir as findShared } from '@pulse/testing';

export function sharedDir(): string {
  return findShared(process.cwd());
}

/** Resolves the shared datasets folder from a repo root (used by specs, which know their own location). */
export function datasetsDir(repoRoot: string = process.cwd()): string {
  return sharedDatasetsDir(repoRoot);
}
