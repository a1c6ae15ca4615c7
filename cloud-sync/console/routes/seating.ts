// The seating chart's API: the chart, moves checked against capacity and the hard rules, locks, relations, and
// auto-assign on the server with its progress. Being built (issue 19).
import type { FastifyInstance } from 'fastify';
import type { ConsoleContext } from '../plugin';

export function registerSeatingRoutes(_api: FastifyInstance, _ctx: ConsoleContext): void {}
