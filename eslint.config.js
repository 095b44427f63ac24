import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/results/', 'bin/', '.scratch/', 'eslint.config.js'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // node:test's test() and describe() return promises the runner itself awaits.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }],
      }],
    },
  },
  {
    // The rollout engine is pure: no I/O, no frameworks, no store implementations.
    files: ['src/rollout/**/*.ts'],
    ignores: ['src/rollout/driver.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: ['fastify', 'fastify/*', '@fastify/*', 'undici', 'node:*', '../state/*', '../proxy/*', '../admin/*'],
      }],
    },
  },
  {
    // Scenarios are compiled one file at a time into dist/bench/scenarios/ (scripts/build-scenarios.ts):
    // from src/ they may import types only; what they run comes through the kit they are given.
    files: ['bench/scenarios/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['../../src/*', '../../src/**'], allowTypeImports: true, message: 'scenarios import types only from src/; use the kit' }] }],
    },
  },
  {
    files: ['src/routing/**/*.ts', 'src/pool/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['fastify', '@fastify/*'] }] },
  },
)
