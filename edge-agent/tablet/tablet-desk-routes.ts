// The venue desk on the tablets (issue 20): walk-ins with the hub's proposal, moves and party changes, undoing a
// check-in. The hub's VenueDesk decides (edge-agent/desk/venue-desk.ts, the same one the kiosks' staff mode calls); a
// tablet is its own door and device, `tablet:<id>`, with the role its pairing code gave it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Statement } from 'better-sqlite3';
import {
  MoveRequestSchema,
  RevertRequestSchema,
  WalkInProposalRequestSchema,
  WalkInRequestSchema,
  type DeskActor,
  type DeskErrorCode,
  type MoveRequest,
  type RevertRequest,
  type WalkInProposalRequest,
  type WalkInRequest,
} from '../../core/contract/desk';
import { ajv } from '../../core/contract/validate';
import { DeskError, type VenueDesk } from '../desk/venue-desk';
import { parseBody } from './route-helpers';
import type { TabletStore } from './store';
import { requireTabletRole, type TabletCaller } from './tablet-roles';

const validators = {
  proposal: ajv.compile(WalkInProposalRequestSchema),
  walkIn: ajv.compile(WalkInRequestSchema),
  move: ajv.compile(MoveRequestSchema),
  revert: ajv.compile(RevertRequestSchema),
};

export interface TabletDeskRouteDeps {
  desk: VenueDesk;
  store: TabletStore;
  /** The paired tablet calling, or null once the reply said 401. */
  tabletOf: (request: FastifyRequest, reply: FastifyReply) => TabletCaller | null;
  /** A desk change shows on every board at once. */
  wake: () => void;
}

export const actorOf = (tablet: TabletCaller): DeskActor => ({ device_id: `tablet:${tablet.id}`, role: tablet.role, door_id: `tablet:${tablet.id}` });

export function registerTabletDeskRoutes(app: FastifyInstance, deps: TabletDeskRouteDeps): void {
  const { desk, tabletOf, wake } = deps;
  const tableOf: Statement = deps.store.db.prepare('SELECT table_id FROM guests WHERE id = ?');

  /** Runs a desk call; a DeskError is the refusal staff read (its status, {error, message}). */
  const decide = <T>(reply: FastifyReply, call: () => T, status: (r: T) => number = () => 200): FastifyReply => {
    let result: T;
    try {
      result = call();
    } catch (e) {
      if (!(e instanceof DeskError)) throw e;
      return reply.code(e.status).send({ error: e.code satisfies DeskErrorCode, message: e.message });
    }
    wake();
    return reply.code(status(result)).send(result);
  };

  app.post('/tablet/api/desk/walk-ins/proposal', async (request, reply) => {
    const tablet = tabletOf(request, reply);
    if (tablet === null) return reply;
    const body = parseBody<WalkInProposalRequest>(request, validators.proposal);
    return decide(reply, () => desk.proposeWalkIn(body, actorOf(tablet)));
  });

  // Large walk-ins need a supervisor: the desk knows the venue's limit and answers supervisor_required.
  app.post('/tablet/api/desk/walk-ins', async (request, reply) => {
    const tablet = tabletOf(request, reply);
    if (tablet === null) return reply;
    const body = parseBody<WalkInRequest>(request, validators.walkIn);
    return decide(reply, () => desk.addWalkIn(body, actorOf(tablet)), (r) => (r.created ? 201 : 200));
  });

  app.post('/tablet/api/desk/moves', async (request, reply) => {
    const tablet = tabletOf(request, reply);
    if (tablet === null) return reply;
    const body = parseBody<MoveRequest>(request, validators.move);
    // A steward may change a party's size (+1) but not move it to another table: refused here before the desk is
    // asked, by the same rule (roleAllows) the desk applies; an unknown guest is the desk's to answer.
    const current = tableOf.get(body.guest_id) as { table_id: string | null } | undefined;
    const moving = body.to_table_id !== undefined && current !== undefined && body.to_table_id !== current.table_id;
    if (moving && !requireTabletRole(reply, tablet, 'supervisor')) return reply;
    return decide(reply, () => desk.move(body, actorOf(tablet)));
  });

  app.post('/tablet/api/desk/reverts', async (request, reply) => {
    const tablet = tabletOf(request, reply);
    if (tablet === null) return reply;
    const body = parseBody<RevertRequest>(request, validators.revert);
    if (!requireTabletRole(reply, tablet, 'supervisor')) return reply;
    return decide(reply, () => desk.revertCheckin(body, actorOf(tablet)), (r) => (r.created ? 201 : 200));
  });
}
