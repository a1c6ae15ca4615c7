// Lint rules that keep the process boundaries honest: core/ and the kiosk renderer stay pure.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const nativeAndProcessModules = ['better-sqlite3', 'pg', '@electric-sql/pglite', 'node-hid', 'electron', 'fastify', 'prom-client'];


// Floors: core/ (pure) < protocol/, venue-store/, node-kit/, sql/, hardware/, seating/ < the tiers (kiosk/, edge-agent/,
// cloud-sync/) < the top (cli/, appliance/, bench/, build/, tests/). A module imports its own floor or below; the tiers
// stand side by side and never import each other. Tests beside the code may cross (an end-to-end test starts a cloud).
const TIERS = ['kiosk', 'edge-agent', 'cloud-sync'];
const TOP = ['cli', 'appliance', 'bench', 'build', 'tests'];
const BELOW_TIERS = ['protocol', 'venue-store', 'node-kit', 'sql', 'hardware', 'seating'];
// Import strings are relative, so a folder is matched as a path segment: '../edge-agent/store', '../../cli/util'.
// A wing's room in core/ (core/seating/) or a page's folder named like a floor (components/seating/) is not that floor.
const importsOf = (folders, message) =>
  folders.map((f) => ({ group: [`**/${f}/**`, `!**/core/${f}/**`, `!**/components/${f}/**`], message: `${message} (${f}/)` }));
const floorRules = [
  ...TIERS.map((tier) => ({
    files: [`${tier}/**/*.{ts,tsx}`],
    ignores: ['**/*.test.ts', ...(tier === 'kiosk' ? ['kiosk/renderer/**'] : []), ...(tier === 'edge-agent' ? ['edge-agent/tablet/web/**'] : []), ...(tier === 'cloud-sync' ? ['cloud-sync/console/web/**'] : [])],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        ...importsOf(TIERS.filter((t) => t !== tier), 'the tiers stand side by side: move what two tiers need down a floor'),
        ...importsOf(TOP, 'a tier never imports the top floor'),
      ] }],
    },
  })),
  {
    files: BELOW_TIERS.map((f) => `${f}/**/*.ts`),
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        ...importsOf(TIERS, 'a floor below the tiers never imports a tier'),
        ...importsOf(TOP, 'a floor below the tiers never imports the top floor'),
      ] }],
    },
  },
];

function pure(files, tiersBarred) {
  return {
    files,
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...nodeBuiltins, ...nativeAndProcessModules].map((name) => ({ name, message: 'core/ and the pages stay pure: pass I/O in as an adapter.' })),
        patterns: [
          { group: ['node:*'], message: 'core/ and the pages stay pure: no Node built-ins.' },
          ...importsOf([...BELOW_TIERS, ...TOP, ...tiersBarred], 'core/ and the pages import no floor with I/O'),
        ],
      }],
    },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'docs/**', 'kiosk/renderer/dist/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,mts,js,mjs}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // core/ and the pages stay pure: no Node built-ins, no native or process modules; core/ imports only core/, a page
  // only core/ and its own tier's types (kiosk/ipc), nothing with I/O.
  pure(['core/**/*.ts'], TIERS),
  pure(['kiosk/renderer/**/*.ts'], TIERS.filter((t) => t !== 'kiosk')),
  pure(['edge-agent/tablet/web/**/*.ts'], TIERS.filter((t) => t !== 'edge-agent')),
  // The console's web application: core/ (its schemas, the guest filter) and preact, nothing with I/O.
  pure(['cloud-sync/console/web/**/*.{ts,tsx}'], TIERS.filter((t) => t !== 'cloud-sync')),
  ...floorRules,
);
