// The venue desk's signed routes for the kiosks' staff mode (protocol/staff-client.ts is the caller): a walk-in's
// proposal and the walk-in itself, moves and party changes, undoing a check-in. The kiosk checked the staff PIN and
// names the role in the body (as for pairing codes, the hub trusts its kiosks' staff mode); the hub checks what that
// role may do. A DeskError is answered with its status and {error, message}.
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  KioskMoveRequestSchema, KioskRevertRequestSchema, KioskWalkInProposalRequestSchema, KioskWalkInRequestSchema,
  type DeskActor, type KioskDeskFields, type KioskMoveRequest, type KioskRevertRequest, type KioskWalkInProposalRequest, type KioskWalkInRequest,
} from '../../core/contract/desk';
import type { ValidateFunction } from 'ajv';
import { ajv } from '../../core/contract/validate';
import type { Caller } from '../../protocol/store';
import type { AgentStore } from '../store';
import { parseBody, signedCaller } from '../tablet/route-helpers';
import { DeskError, type VenueDesk } from './venue-desk';

const validate = {
  proposal: ajv.compile(KioskWalkInProposalRequestSchema),
  walkIn: ajv.compile(KioskWalkInRequestSchema),
  move: ajv.compile(KioskMoveRequestSchema),
  revert: ajv.compile(KioskRevertRequestSchema),
};

export interface DeskRouteDeps {
  agentStore: AgentStore;
  desk: VenueDesk;
  now: () => number;
  /** A desk write committed (events queued, the doors' feed moved): push now, refresh the tablets' boards. */
  onCommitted?: () => void;
}

/** The request without the kiosk's fields, and who asks: the kiosk's device, the staff role it names, its door. */
function split<T extends KioskDeskFields>(caller: Caller, body: T): { req: Omit<T, 'by_role' | 'door_id'>; actor: DeskActor } {
  const { by_role, door_id, ...req } = body;
  return { req, actor: { device_id: caller.deviceId, role: by_role, door_id } };
}

function refuse(reply: FastifyReply, e: unknown): FastifyReply {
  if (!(e instanceof DeskError)) throw e;
  return reply.code(e.status).send({ error: e.code, message: e.message });
}

/** What a desk call answers: its body, its status (default 200), and whether it committed a change. */
interface DeskAnswer {
  body: unknown;
  status?: number;
  committed: boolean;
}

export function registerDeskRoutes(app: FastifyInstance, deps: DeskRouteDeps): void {
  const { desk, now } = deps;

  /** One signed kiosk route: the caller, the body checked, the desk's answer, or its DeskError as a 4xx. */
  const route = <B extends KioskDeskFields>(path: string, check: ValidateFunction, run: (req: Omit<B, 'by_role' | 'door_id'>, actor: DeskActor) => DeskAnswer) => {
    app.post(path, async (request, reply) => {
      const caller = await signedCaller(deps.agentStore, request, reply, ['kiosk'], now());
      if (!caller) return reply;
      const { req, actor } = split(caller, parseBody<B>(request, check));
      try {
        const answer = run(req, actor);
        if (answer.committed) deps.onCommitted?.();
        return reply.code(answer.status ?? 200).send(answer.body);
      } catch (e) {
        return refuse(reply, e);
      }
    });
  };

  route<KioskWalkInProposalRequest>('/v1/desk/walk-ins/proposal', validate.proposal, (req, actor) => ({ body: desk.proposeWalkIn(req, actor), committed: true }));
  route<KioskWalkInRequest>('/v1/desk/walk-ins', validate.walkIn, (req, actor) => {
    const result = desk.addWalkIn(req, actor);
    return { body: result, status: result.created ? 201 : 200, committed: result.created };
  });
  route<KioskMoveRequest>('/v1/desk/moves', validate.move, (req, actor) => {
    const result = desk.move(req, actor);
    return { body: result, committed: result.created && result.event_id !== null };
  });
  route<KioskRevertRequest>('/v1/desk/reverts', validate.revert, (req, actor) => {
    const result = desk.revertCheckin(req, actor);
    return { body: result, committed: result.created };
  });
}
