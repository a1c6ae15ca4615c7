// Boots solve-worker.ts in a worker thread. Plain JavaScript on purpose, as seating/highs-worker.mjs: a worker does
// not inherit the TypeScript loader its parent runs under (tsx in the CLI and the service, vite in the tests), so it
// registers tsx for itself first.
import { register } from 'tsx/esm/api';

register();
await import('./solve-worker.ts');
