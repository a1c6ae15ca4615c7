// Lint rules that keep the process boundaries honest: core/ and the kiosk renderer stay pure.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const nativeAndProcessModules = ['better-sqlite3', 'pg', '@electric-sql/pglite', 'node-hid', 'electron', 'fastify', 'prom-client'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'docs/**', 'kiosk/renderer/dist/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,mts,js,mjs}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['core/**/*.ts', 'kiosk/renderer/**/*.ts', 'edge-agent/tablet/web/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...nodeBuiltins, ...nativeAndProcessModules].map((name) => ({ name, message: 'core/ and the renderer stay pure: pass I/O in as an adapter.' })),
        patterns: [{ group: ['node:*'], message: 'core/ and the renderer stay pure: no Node built-ins.' }],
      }],
    },
  },
);
