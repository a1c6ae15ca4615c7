// Who may do what in the organiser's console: one table, read by the API (every route names its permission) and by
// the UI (which hides what a role cannot do; the API still refuses it).
import { Type, type Static } from '@sinclair/typebox';

export const ConsoleRoleSchema = Type.Union([Type.Literal('owner'), Type.Literal('planner'), Type.Literal('viewer')]);
export type ConsoleRole = Static<typeof ConsoleRoleSchema>;
export const CONSOLE_ROLES: readonly ConsoleRole[] = ['owner', 'planner', 'viewer'];

/**
 * - `read`: every page (guests, devices, live view, audit), own sessions.
 * - `edit_guests`: occasions, guests, imports, revocations, deletions.
 * - `edit_layout`: the Seat Designer (draw, publish, restore a venue's layout) and the seating chart's moves.
 * - `manage_venue`: venues, pairing codes, revoking a device's key.
 * - `manage_accounts`: the tenant's accounts (invite, change role, disable).
 */
export type ConsolePermission = 'read' | 'edit_guests' | 'edit_layout' | 'manage_venue' | 'manage_accounts';

const GRANTS: Record<ConsoleRole, readonly ConsolePermission[]> = {
  owner: ['read', 'edit_guests', 'edit_layout', 'manage_venue', 'manage_accounts'],
  planner: ['read', 'edit_guests', 'edit_layout'],
  viewer: ['read'],
};

export function may(role: ConsoleRole, permission: ConsolePermission): boolean {
  return GRANTS[role].includes(permission);
}
