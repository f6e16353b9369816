import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// The layering (eslint.config.mjs, the tags in every project.json) is enforced by ESLint: probe sources,
// linted as if they were files at the given paths, must break the rules where a layer reaches above
// itself or into a driver it must not use, and lint clean where the import is allowed (so a config that
// reports nothing, or reports everything, fails here).
const root = join(__dirname, '..', '..', '..', '..');

interface Probe {
  readonly filePath: string;
  readonly code: string;
}
interface Message {
  readonly ruleId: string | null;
  readonly message: string;
}

// ESLint's Node API in a child process: the flat config is an ES module, which Jest's module loader
// cannot import. The Nx project graph the boundary rule reads is created first if missing.
const runner = `
const { ESLint } = require('eslint');
const { createProjectGraphAsync } = require('@nx/devkit');
(async () => {
  const probes = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
  await createProjectGraphAsync({ exitOnError: true });
  const eslint = new ESLint({ cwd: process.cwd() });
  const out = [];
  for (const { filePath, code } of probes) {
    const [result] = await eslint.lintText(code, { filePath });
    out.push(result.messages.map(({ ruleId, message }) => ({ ruleId, message })));
  }
  process.stdout.write(JSON.stringify(out));
})().catch((err) => { console.error(err); process.exit(1); });
`;

function lint(probes: readonly Probe[]): Message[][] {
  const r = spawnSync(process.execPath, ['-e', runner], {
    cwd: root,
    input: JSON.stringify(probes.map((p) => ({ ...p, filePath: join(root, p.filePath) }))),
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false' },
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`eslint runner failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Message[][];
}

const boundaryErrors = (messages: Message[]): string[] =>
  messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);

describe('layering lint rules', () => {
  const cases: [string, Probe, RegExp | null][] = [
    [
      'a core lib importing Nest',
      {
        filePath: 'libs/features/src/lint-probe.ts',
        code: "import { Injectable } from '@nestjs/common';\nexport const probe = Injectable;\n",
      },
      /"type:core" is not allowed to import "@nestjs\/common"/,
    ],
    [
      'a core lib importing a Redis driver',
      { filePath: 'libs/gbdt/src/lint-probe.ts', code: "import Redis from 'ioredis';\nexport const probe = Redis;\n" },
      /"type:core" is not allowed to import "ioredis"/,
    ],
    [
      'a core lib importing an infrastructure lib',
      {
        filePath: 'libs/simulator/src/lint-probe.ts',
        code: "import { createBus } from '@pulse/bus';\nexport const probe = createBus;\n",
      },
      /"type:core" can only depend on libs tagged with/,
    ],
    [
      'an infrastructure lib importing Nest',
      {
        filePath: 'libs/storage/src/lint-probe.ts',
        code: "import { Module } from '@nestjs/common';\nexport const probe = Module;\n",
      },
      /"type:infra" is not allowed to import "@nestjs\/common"/,
    ],
    [
      'an app importing another app by relative path',
      {
        filePath: 'apps/cli/src/lint-probe.ts',
        code: "import { createFeatureServiceApp } from '../../feature-service/src/app/create-app';\nexport const probe = createFeatureServiceApp;\n",
      },
      /cannot be imported by a relative or absolute path/,
    ],
    [
      'an app importing another app by workspace path',
      {
        filePath: 'apps/cli/src/lint-probe.ts',
        code: "import { createFeatureServiceApp } from 'apps/feature-service/src/app/create-app';\nexport const probe = createFeatureServiceApp;\n",
      },
      /cannot be imported by a relative or absolute path/,
    ],
    [
      'the CLI importing a Nest adapter',
      {
        filePath: 'apps/cli/src/lint-probe.ts',
        code: "import { BusModule } from '@pulse/nest-bus';\nexport const probe = BusModule;\n",
      },
      /"type:cli" can only depend on libs tagged with/,
    ],
    [
      'production code importing the test helpers',
      {
        filePath: 'libs/features/src/lint-probe.ts',
        code: "import { waitFor } from '@pulse/testing';\nexport const probe = waitFor;\n",
      },
      /"type:core" can only depend on libs tagged with .*"type:util"$/,
    ],
    [
      'a core lib importing core and util libs (allowed)',
      {
        filePath: 'libs/features/src/lint-probe.ts',
        code: "import { PulseError } from '@pulse/core';\nimport { CHANNELS } from '@pulse/contracts';\nexport const probe = [PulseError, CHANNELS];\n",
      },
      null,
    ],
    [
      'a spec of a core lib importing the test helpers (allowed)',
      {
        filePath: 'libs/features/src/lint-probe.spec.ts',
        code: "import { waitFor } from '@pulse/testing';\nexport const probe = waitFor;\n",
      },
      null,
    ],
    [
      'an infrastructure lib importing its driver and a core lib (allowed)',
      {
        filePath: 'libs/redis-store/src/lint-probe.ts',
        code: "import Redis from 'ioredis';\nimport { InMemoryOnlineStore } from '@pulse/features';\nexport const probe = [Redis, InMemoryOnlineStore];\n",
      },
      null,
    ],
    [
      'a Nest adapter importing Nest and an infrastructure lib (allowed)',
      {
        filePath: 'libs/nest-bus/src/lint-probe.ts',
        code: "import { Module } from '@nestjs/common';\nimport { createBus } from '@pulse/bus';\nexport const probe = [Module, createBus];\n",
      },
      null,
    ],
  ];

  let results: Message[][];
  beforeAll(() => {
    results = lint(cases.map(([, probe]) => probe));
  }, 120_000);

  it.each(cases.map((c, i) => [c[0], i, c[2]] as const))('%s', (_name, i, expected) => {
    const messages = results[i];
    if (expected === null) {
      expect(messages).toEqual([]);
    } else {
      const errors = boundaryErrors(messages);
      expect(errors).toEqual([expect.stringMatching(expected)]);
    }
  });
});
