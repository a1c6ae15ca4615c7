// What the kiosk's staff mode calls on its hub, over the kiosk's own signed link: pairing codes for table tablets,
// unpairing a tablet, and the live seating counts.
import type { SeatingCounts, StaffRole, TabletPairingCode, TabletRevoked } from '../core/contract/staff';
import type {
  KioskMoveRequest, KioskRevertRequest, KioskWalkInProposalRequest, KioskWalkInRequest, MoveResult, RevertResult, WalkInProposal, WalkInResult,
} from '../core/contract/desk';
import type { SignedHttp } from './http-client';

export class StaffApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

function check<T>(r: { status: number; body: unknown }, ok: number): T {
  if (r.status === ok) return r.body as T;
  const b = (typeof r.body === 'object' && r.body !== null ? r.body : {}) as { error?: string; message?: string };
  throw new StaffApiError(r.status, b.error ?? `http_${r.status}`, b.message ?? `the hub answered ${r.status}`);
}

/** A steward's code leaves `role` out: a hub older than roles refuses the field, and pairs stewards anyway. */
export async function createTabletPairingCode(http: SignedHttp, opts: { label?: string; ttlMinutes?: number; role?: StaffRole } = {}): Promise<TabletPairingCode> {
  const body = JSON.stringify({
    ...(opts.label ? { label: opts.label } : {}),
    ...(opts.ttlMinutes ? { ttl_minutes: opts.ttlMinutes } : {}),
    ...(opts.role === 'supervisor' ? { role: 'supervisor' } : {}),
  });
  return check(await http.request('POST', '/v1/tablets/pairing-codes', body), 201);
}

export async function revokeTablet(http: SignedHttp, tabletId: string): Promise<TabletRevoked> {
  return check(await http.request('POST', `/v1/tablets/${encodeURIComponent(tabletId)}/revoke`), 200);
}

export async function seatingCounts(http: SignedHttp): Promise<SeatingCounts> {
  return check(await http.request('GET', '/v1/seating/counts'), 200);
}

// --- the venue desk (core/contract/desk.ts): the hub decides, the kiosk's staff mode asks --------------------------

export async function proposeWalkIn(http: SignedHttp, req: KioskWalkInProposalRequest): Promise<WalkInProposal> {
  return check(await http.request('POST', '/v1/desk/walk-ins/proposal', JSON.stringify(req)), 200);
}

/** 201 when added, 200 when this request_id had already added the guest. */
export async function addWalkIn(http: SignedHttp, req: KioskWalkInRequest): Promise<WalkInResult> {
  const r = await http.request('POST', '/v1/desk/walk-ins', JSON.stringify(req));
  return check(r, r.status === 200 ? 200 : 201);
}

export async function moveGuest(http: SignedHttp, req: KioskMoveRequest): Promise<MoveResult> {
  return check(await http.request('POST', '/v1/desk/moves', JSON.stringify(req)), 200);
}

export async function revertCheckin(http: SignedHttp, req: KioskRevertRequest): Promise<RevertResult> {
  return check(await http.request('POST', '/v1/desk/reverts', JSON.stringify(req)), 200);
}
