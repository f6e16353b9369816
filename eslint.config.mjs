import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// Layers, one `type:` tag per project (project.json), lowest first:
//   type:util       libs/core: errors, guards, env config, byte buffers; imports no other project
//   type:core       framework-free domain logic (contracts, features, gbdt, ml-metrics, simulator,
//                   observability); contracts (also core:contracts) depend on util only
//   type:infra      drivers behind the cores' ports: bus (kafkajs), storage (typeorm/pg), redis-store (ioredis)
//   type:nest       Nest adapters (nest-bus, nest-common, service libs): the only libs that import @nestjs/*
//   type:app        Nest applications; type:cli the command line: composition roots, never imported
//   type:testing    test helpers (libs/testing): imported from specs, test/, bench/ and src/testing/ only
//   type:workspace  tools/: workspace-wide checks (typecheck, generated code), imports nothing
// Drivers and frameworks banned by layer: the cores import none of them, infrastructure no Nest.
const DRIVERS = ['typeorm', 'pg', 'pg-*', 'ioredis', 'kafkajs', '@electric-sql/*'];
const FRAMEWORKS = ['@nestjs/*', 'express', 'fastify', '@fastify/*'];

const depConstraints = (inTests) => {
  const testing = inTests ? ['type:testing'] : [];
  return [
    {
      sourceTag: 'type:util',
      onlyDependOnLibsWithTags: ['type:util'],
      bannedExternalImports: [...DRIVERS, ...FRAMEWORKS],
    },
    {
      sourceTag: 'type:core',
      onlyDependOnLibsWithTags: ['type:core', 'type:util', ...testing],
      bannedExternalImports: [...DRIVERS, ...FRAMEWORKS],
    },
    { sourceTag: 'core:contracts', onlyDependOnLibsWithTags: ['type:util', ...testing] },
    {
      sourceTag: 'type:infra',
      onlyDependOnLibsWithTags: ['type:infra', 'type:core', 'type:util', ...testing],
      bannedExternalImports: FRAMEWORKS,
    },
    {
      sourceTag: 'type:nest',
      onlyDependOnLibsWithTags: ['type:nest', 'type:infra', 'type:core', 'type:util', ...testing],
    },
    {
      sourceTag: 'type:app',
      onlyDependOnLibsWithTags: ['type:nest', 'type:infra', 'type:core', 'type:util', ...testing],
    },
    {
      sourceTag: 'type:cli',
      onlyDependOnLibsWithTags: ['type:infra', 'type:core', 'type:util', ...testing],
      bannedExternalImports: ['@nestjs/*'],
    },
    {
      sourceTag: 'type:testing',
      onlyDependOnLibsWithTags: ['type:testing', 'type:core', 'type:util'],
      bannedExternalImports: ['@nestjs/*'],
    },
    { sourceTag: 'type:workspace', onlyDependOnLibsWithTags: [] },
  ];
};

const boundaries = (inTests) => [
  'error',
  {
    enforceBuildableLibDependency: false,
    allow: [],
    banTransitiveDependencies: false,
    depConstraints: depConstraints(inTests),
  },
];

// Spec files, integration tests, benchmarks and a lib's own test support.
export const TEST_FILES = ['**/*.spec.ts', '**/test/**/*.ts', '**/bench/**/*.ts', '**/src/testing/**/*.ts'];

export default [
  { ignores: ['**/node_modules/**', 'dist/**', '**/*.js', '**/*.mjs', '**/*.cjs', 'libs/contracts/src/gen/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': boundaries(false),
      // A lib's test support (`@pulse/<lib>/testing`) is for tests, like libs/testing.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@pulse/*/testing'], message: 'test support: import it from specs, test/ or bench/ only' },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: TEST_FILES,
    rules: {
      '@nx/enforce-module-boundaries': boundaries(true),
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  // Formatting is Prettier's (checked in lint); stylistic rules that would fight it are off.
  prettier,
];
