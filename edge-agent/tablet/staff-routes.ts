// The kiosks' staff mode on the hub, signed with a kiosk's own key: tablet pairing codes, unpairing a tablet, and the
// venue's live seating counts (protocol/staff-client.ts is the caller).
import type { FastifyInstance } from 'fastify';
import { TabletPairingCodeRequestSchema, type TabletPairingCodeRequest, type TabletRevoked } from '../../core/contract/staff';
import { ajv } from '../../core/contract/validate';
import type { AgentStore } from '../store';
import { fail, parseBody, signedCaller } from './route-helpers';
import type { TabletStore } from './store';

const validatePairingCodeRequest = ajv.compile(TabletPairingCodeRequestSchema);

export interface StaffRouteDeps {
  agentStore: AgentStore;
  store: TabletStore;
  now: () => number;
  /** Lifetime of a pairing code when the request names none. Default 10 min. */
  pairingTtlMinutes?: number;
}

export function registerStaffRoutes(app: FastifyInstance, deps: StaffRouteDeps): void {
  const { store, now } = deps;

  app.post('/v1/tablets/pairing-codes', async (request, reply) => {
    const caller = await signedCaller(deps.agentStore, request, reply, ['kiosk'], now());
    if (!caller) return reply;
    const body = parseBody<TabletPairingCodeRequest>(request, validatePairingCodeRequest);
    const ttl = (body.ttl_minutes ?? deps.pairingTtlMinutes ?? 10) * 60_000;
    // The kiosk checked that a supervisor asked for it (kiosk/ipc/staff-roles.ts): the hub trusts its kiosks' staff mode.
    return reply.code(201).send(store.createPairingCode({ label: body.label ?? 'Tablet', createdBy: caller.deviceId, ttlMs: ttl, role: body.role ?? 'steward', host: body.host ?? false }));
  });

  app.post('/v1/tablets/:id/revoke', async (request, reply) => {
    const caller = await signedCaller(deps.agentStore, request, reply, ['kiosk'], now());
    if (!caller) return reply;
    const id = (request.params as { id: string }).id;
    if (!store.revokeTablet(id, caller.deviceId)) return fail(reply, 404, 'not_found', 'No such paired tablet (or already revoked).');
    return { tablet_id: id, status: 'revoked' } satisfies TabletRevoked;
  });

  app.get('/v1/seating/counts', async (request, reply) => {
    if (!(await signedCaller(deps.agentStore, request, reply, ['kiosk'], now()))) return reply;
    return store.counts();
  });
}
