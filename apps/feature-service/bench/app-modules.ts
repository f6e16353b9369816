// The feature service's own modules, loaded at run time. tools/build.mjs drops `src/` from app paths
// (apps/x/src/app/a.ts -> dist/apps/x/app/a.js) but rewrites only @pulse/* imports, so a static
// `import '../src/app/create-app'` in a bench file would point at a folder that is not in dist/.
// Types come from the sources (type-only imports vanish at compile time); values are required from
// whichever layout this file runs in: dist (../app/...) or the sources (../src/app/...).
import fs from 'node:fs';
import path from 'node:path';
import type * as CreateAppModule from '../src/app/create-app';
import type * as ConfigModule from '../src/config/feature-service.config';
import type * as ReadServiceModule from '../src/features/feature-read.service';
import type * as BatchResponseModule from '../src/features/batch-response';
import type * as MetricsModule from '../src/app/feature-service.metrics';
import type * as TokensModule from '../src/app/tokens';
import type * as EvaluatedViewsModule from '../src/features/evaluated-views';

function load<T>(relative: string): T {
  for (const base of [path.join(__dirname, '..'), path.join(__dirname, '..', 'src')]) {
    const file = path.join(base, relative);
    if (fs.existsSync(`${file}.js`) || fs.existsSync(`${file}.ts`)) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- see the note at the top
      return require(file) as T;
    }
  }
  throw new Error(`feature-service module ${relative} not found next to ${__dirname} (run tools/build.mjs first)`);
}

export const appModules = {
  createApp: () => load<typeof CreateAppModule>('app/create-app'),
  config: () => load<typeof ConfigModule>('config/feature-service.config'),
  readService: () => load<typeof ReadServiceModule>('features/feature-read.service'),
  batchResponse: () => load<typeof BatchResponseModule>('features/batch-response'),
  metrics: () => load<typeof MetricsModule>('app/feature-service.metrics'),
  tokens: () => load<typeof TokensModule>('app/tokens'),
  evaluatedViews: () => load<typeof EvaluatedViewsModule>('features/evaluated-views'),
};
