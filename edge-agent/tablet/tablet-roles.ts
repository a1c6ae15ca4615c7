// What a paired tablet's role allows on the hub: one check for the tablet routes, so a route that needs a supervisor
// (undo a check-in, moves, large walk-ins) only names the role. The tablet's role is the one its pairing code gave.
import type { FastifyReply } from 'fastify';
import { roleAllows, type StaffRole } from '../../core/contract/staff';
import { fail } from './route-helpers';

export interface TabletCaller {
  id: string;
  role: StaffRole;
  /** A host tablet (VIP alerts for every table); absent means no. */
  host?: boolean;
}

/** True when `tablet` may go on; else the reply is already a 403 `supervisor_required` and the route returns it. */
export function requireTabletRole(reply: FastifyReply, tablet: TabletCaller, needed: StaffRole): boolean {
  if (roleAllows(tablet.role, needed)) return true;
  fail(reply, 403, 'supervisor_required', 'A supervisor must do this: ask a supervisor to use their tablet, or pair this one as a supervisor.');
  return false;
}
