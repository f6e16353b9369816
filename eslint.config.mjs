import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// Who may import whom. Apps sit on top and never import each other; adapters wrap cores; contracts
// depend on nothing; test helpers are for spec files only.
const depConstraints = (allowTesting) => [
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: [
      'type:nest',
      'type:core',
      'type:contracts',
      'type:util',
      ...(allowTesting ? ['type:testing'] : []),
    ],
  },
  {
    sourceTag: 'type:cli',
    onlyDependOnLibsWithTags: ['type:core', 'type:contracts', 'type:util', ...(allowTesting ? ['type:testing'] : [])],
  },
  {
    sourceTag: 'type:nest',
    onlyDependOnLibsWithTags: [
      'type:nest',
      'type:core',
      'type:contracts',
      'type:util',
      ...(allowTesting ? ['type:testing'] : []),
    ],
  },
  {
    sourceTag: 'type:core',
    onlyDependOnLibsWithTags: ['type:core', 'type:contracts', 'type:util', ...(allowTesting ? ['type:testing'] : [])],
  },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:core', 'type:contracts', 'type:util'] },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
];

const boundaries = (allowTesting) => [
  'error',
  {
    enforceBuildableLibDependency: false,
    allow: [],
    banTransitiveDependencies: false,
    depConstraints: depConstraints(allowTesting),
  },
];

export default [
  { ignores: ['**/node_modules/**', 'dist/**', '**/*.js', '**/*.mjs', '**/*.cjs', 'libs/contracts/src/gen/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': boundaries(false),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts', '**/bench/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(true),
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  // Formatting is Prettier's (checked in lint); stylistic rules that would fight it are off.
  prettier,
];
