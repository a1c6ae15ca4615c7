// The Seat Designer's API: a venue's layout draft, publishing it to the doors, its published versions, restoring one,
// and the background image. Being built (issue 19).
import type { FastifyInstance } from 'fastify';
import type { ConsoleContext } from '../plugin';

export function registerLayoutRoutes(_api: FastifyInstance, _ctx: ConsoleContext): void {}
