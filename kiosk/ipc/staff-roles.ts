// What a staff session's role allows: one rule for every staff handler, so an action that needs a supervisor only names
// the role. Without a supervisor PIN in the config the steward keeps every right (venues from before roles work on).
import { roleAllows } from '../../core/contract/staff';
import type { IpcError, StaffRole } from './channels';

export interface RoleSession {
  role: StaffRole;
}

/** Null when `session` may go on; else the refusal staff read. `supervisorPinSet`: ui.supervisor_pin is configured. */
export function requireRole(session: RoleSession, needed: StaffRole, supervisorPinSet: boolean): IpcError | null {
  if (!supervisorPinSet || roleAllows(session.role, needed)) return null;
  switch (needed) {
    case 'supervisor':
      return { code: 'supervisor_required', message: 'A supervisor must do this: ask them to enter their PIN.' };
    case 'steward':
      return null;
    default: {
      const never: never = needed;
      return never;
    }
  }
}
