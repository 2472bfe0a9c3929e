import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { localPlugin } from './eslint/layering.mjs';

/** Packages the browser-safe core may use: each must run unchanged in the renderer. */
const CORE_PACKAGES = ['zod', 'jsonc-parser', '@noble/hashes'];

/** npm packages that need Node (native addons, sockets, files): never in core/ or the renderer. */
const NODE_ONLY_PACKAGES = [
  'serialport',
  '@serialport/bindings-cpp',
  'better-sqlite3',
  '@tensorflow/tfjs-node',
  'commander',
  'cli-table3',
  'cli-progress',
  'ioredis',
  'redis',
  'bullmq',
  'ws',
  'fastify',
  'playwright-core',
  'onnxruntime-node',
  'sharp',
];

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'devices/firmware/build/**'] },
  js.configs.recommended,
  tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    plugins: { local: localPlugin },
    rules: {
      'local/layering': [
        'error',
        { root: import.meta.dirname, corePackages: CORE_PACKAGES, nodeOnlyPackages: NODE_ONLY_PACKAGES },
      ],
      // Named exports only: a default export renames itself at every import site.
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Tests state what they expect to exist; a failed `!` there fails the test, which is the point.
    files: ['**/*.test.ts', '**/*.fixture.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // Tool configs must default-export by their tools' convention.
    files: ['eslint.config.js', 'vitest.config.ts', 'vite.config.ts', 'renderer/vite.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
