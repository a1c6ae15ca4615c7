// The venue desk at the hub (issue 20): walk-ins seated by the hub's proposal, moves and party changes, undoing a
// check-in, all decided here on the hub's SQLite (offline from the cloud), each in one transaction with its events
// (outbox to the cloud), the doors' feed and the audit entry. Kiosks reach it through desk-routes.ts (signed), tablets
// through the tablet routes, both with a DeskActor.
//
// SKELETON: the signatures are the contract between the hub (this file's owner fills it in), the tablet routes and the
// kiosk's staff mode. Every method throws until implemented.
import type { DeskActor, DeskErrorCode, MoveRequest, MoveResult, RevertRequest, RevertResult, WalkInProposal, WalkInProposalRequest, WalkInRequest, WalkInResult } from '../../core/contract/desk';
import { DESK_ERROR_STATUS } from '../../core/contract/desk';
import type { AgentStore } from '../store';

export class DeskError extends Error {
  override name = 'DeskError';
  readonly status: number;
  constructor(readonly code: DeskErrorCode, message: string) {
    super(message);
    this.status = DESK_ERROR_STATUS[code];
  }
}

export interface VenueDeskOptions {
  /** The hub's own device id (config.device_id): the author of the events the desk makes. */
  deviceId: string;
  venueId: string;
  clock?: () => number;
  /** Walk-ins of more than this many people need a supervisor (default DEFAULT_STEWARD_WALK_IN_MAX). */
  stewardWalkInMax?: number;
}

export class VenueDesk {
  constructor(readonly store: AgentStore, readonly opts: VenueDeskOptions) {}

  /** Where the hub would seat the party; writes nothing but the assign.completed (channel walk_in) it measures. */
  proposeWalkIn(_req: WalkInProposalRequest, _actor: DeskActor): WalkInProposal {
    throw new Error('not implemented');
  }

  /** Adds the walk-in (guest.added) and checks them in (checkin.succeeded, credential_kind manual) at once. */
  addWalkIn(_req: WalkInRequest, _actor: DeskActor): WalkInResult {
    throw new Error('not implemented');
  }

  /** Moves a guest to another table and/or changes the party's size (seat.changed). */
  move(_req: MoveRequest, _actor: DeskActor): MoveResult {
    throw new Error('not implemented');
  }

  /** Undoes the guest's last check-in (checkin.reverted); supervisor only. */
  revertCheckin(_req: RevertRequest, _actor: DeskActor): RevertResult {
    throw new Error('not implemented');
  }
}
