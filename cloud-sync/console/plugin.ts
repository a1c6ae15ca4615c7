// The organiser's console, served by the cloud service at /console: the web application (web/, built with esbuild)
// and its API under /console/api, each area in a module of its own. Same process and database as the rest of the
// cloud; every API request runs scoped to its session's tenant (scope.ts).
import type { FastifyError, FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Db } from '../db';
import { installConsoleErrors } from './errors';
import { registerAuthRoutes } from './auth/routes';
import { registerVenueRoutes } from './routes/venues';
import { registerGuestRoutes } from './routes/guests';
import { registerDeviceRoutes } from './routes/devices';
import { registerLiveRoutes } from './routes/live';
import { registerAuditRoutes } from './routes/audit';
import { registerLayoutRoutes } from './routes/layouts';
import { registerSeatingRoutes } from './routes/seating';
import { registerSeatConflictRoutes } from './routes/seat-conflicts';
import { registerConsoleAssets } from './assets';

export interface ConsoleOptions {
  db: Db;
  now?: () => number;
  /** The console's address as people reach it, for the set-password links it hands out (default http://127.0.0.1:8080). */
  publicUrl?: string;
  /** Seconds between live-view snapshots on an open stream (default 2). */
  liveEverySec?: number;
}

/** What each area module receives. */
export interface ConsoleContext {
  db: Db;
  now: () => Date;
  publicUrl: string;
  liveEverySec: number;
}

export const consolePlugin: FastifyPluginAsync<ConsoleOptions> = async (app: FastifyInstance, opts) => {
  const ctx: ConsoleContext = {
    db: opts.db,
    now: opts.now ? () => new Date((opts.now as () => number)()) : () => new Date(),
    publicUrl: (opts.publicUrl ?? 'http://127.0.0.1:8080').replace(/\/+$/, ''),
    liveEverySec: opts.liveEverySec ?? 2,
  };
  // The wire protocol keeps /v1 bodies as raw bytes for their signatures (protocol/routes.ts, on the root); the
  // console's API reads JSON like any other, in this plugin's own context only.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  installConsoleErrors(app, (err: FastifyError) => {
    throw err;
  });
  await app.register(async (api) => {
    registerAuthRoutes(api, ctx);
    registerVenueRoutes(api, ctx);
    registerGuestRoutes(api, ctx);
    registerDeviceRoutes(api, ctx);
    registerLiveRoutes(api, ctx);
    registerAuditRoutes(api, ctx);
    registerLayoutRoutes(api, ctx);
    registerSeatingRoutes(api, ctx);
    registerSeatConflictRoutes(api, ctx);
    // An unknown API path is a JSON 404, not the application's page.
    api.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not_found', message: 'no such console API route' }));
  }, { prefix: '/console/api' });
  await registerConsoleAssets(app, ctx);
};
