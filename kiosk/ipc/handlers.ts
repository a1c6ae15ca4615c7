// The handlers of the channel map over the kiosk service: validate at the crossing, guard staff channels behind a PIN
// session, and turn every failure into `{ok: false, error}` (the renderer never sees a stack or a thrown error).
import type { ValidateFunction } from 'ajv';
import { ajv, describeErrors } from '../../core/contract/validate';
import {
  CHANNELS,
  isChannel,
  type Channel,
  type ChannelRequest,
  type ChannelResponse,
  type CheckinScreen,
  type FindTableAnswer,
  type GuestMatch,
  type IpcError,
  type IpcResult,
  type KioskSetup,
  type KioskStatus,
  type ScanRequest,
  type SeatingCounts,
  type StaffRole,
  type TabletPairingCode,
} from './channels';
import type { DeskErrorCode, MoveRequest, MoveResult, RevertRequest, RevertResult, WalkInProposal, WalkInProposalRequest, WalkInRequest, WalkInResult } from '../../core/contract/desk';
import { PinLockout, SCREEN_SOURCE, type PinFailure } from './pin-lockout';
import { requireRole } from './staff-roles';

/** What the handlers need from the kiosk: the check-in service and its configuration, behind one port. */
export interface KioskServicePort {
  scan(credential: ScanRequest): Promise<CheckinScreen>;
  search(query: string): Promise<GuestMatch[]>;
  /** Resolves null when no such guest exists. */
  manualCheckin(guestId: string): Promise<CheckinScreen | null>;
  status(): Promise<KioskStatus>;
  setup(): Promise<KioskSetup>;
  /**
   * Whose PIN this is (steward, supervisor) or null; compares with every PIN in constant time, and the PINs never
   * leave main.
   */
  staffRoleForPin(pin: string): StaffRole | null;
  /** Whether a supervisor PIN is configured; without one the steward may do everything. */
  hasSupervisorPin(): boolean;
  /** Live seating counts from the venue hub; throws HubUnavailableError without one or when it does not answer. */
  seatingCounts(): Promise<SeatingCounts>;
  /** A pairing code for a table tablet, issued by the venue hub; throws HubUnavailableError like seatingCounts. */
  pairTablet(label: string | undefined, role: StaffRole): Promise<TabletPairingCode>;
  /** Find my table: throws KioskRefusal (too short, rate-limited, switched off); checks nobody in. */
  findTable(surnamePrefix: string): Promise<FindTableAnswer>;
  /**
   * The venue desk, asked of the hub with the session's role and this kiosk's door (the hub decides and records).
   * Throw HubUnavailableError without a hub or when it does not answer, DeskRefusal when it refuses.
   */
  deskProposeWalkIn(req: WalkInProposalRequest, role: StaffRole): Promise<WalkInProposal>;
  deskAddWalkIn(req: WalkInRequest, role: StaffRole): Promise<WalkInResult>;
  deskMove(req: MoveRequest, role: StaffRole): Promise<MoveResult>;
  deskRevert(req: RevertRequest, role: StaffRole): Promise<RevertResult>;
  /** The guest's table in this kiosk's list (null: none); undefined when the kiosk does not know the guest. */
  guestTable(guestId: string): string | null | undefined;
  /** A wrong PIN at staff unlock: queues staff.pin_failed in the kiosk's outbox, for the hub's audit. */
  pinFailed(failure: PinFailure): void;
}

/** The service declined a guest's request for a reason the guest may read (kiosk/find-table.ts). */
export class KioskRefusal extends Error {
  override name = 'KioskRefusal';
  constructor(
    readonly code: 'bad_request' | 'rate_limited' | 'disabled',
    message: string,
    readonly extra: { retry_after_s?: number } = {},
  ) {
    super(message);
  }
}

/** What only the venue hub can answer was asked of a kiosk without one, or the hub did not answer. */
export class HubUnavailableError extends Error {
  override name = 'HubUnavailableError';
  constructor(readonly code: 'no_hub' | 'hub_unreachable', message: string) {
    super(message);
  }
}

/** The hub refused a desk request (core/contract/desk.ts DeskErrorCode), with a sentence staff understand. */
export class DeskRefusal extends Error {
  override name = 'DeskRefusal';
  constructor(readonly code: DeskErrorCode & IpcError['code'], message: string) {
    super(message);
  }
}

export interface HandlerDeps {
  service: KioskServicePort;
  now?: () => number;
  newToken?: () => string;
  /** The hub's retry key of a desk request the screen sent without one. */
  newRequestId?: () => string;
  /** Where unexpected failures are reported (never with request contents: a PIN could be among them). */
  logError?: (channel: Channel, error: unknown) => void;
  staffSessionMs?: number;
}

/**
 * Who is calling, for the wrong-PIN lockout: `source` is SCREEN_SOURCE for the kiosk's own screen (the default: Electron
 * IPC has no other caller), else the caller's address in browser mode.
 */
export interface CallContext {
  source: string;
}

export type Handlers = { [K in Channel]: (request: unknown, ctx?: CallContext) => Promise<IpcResult<ChannelResponse<K>>> };

const validators = Object.fromEntries(Object.entries(CHANNELS).map(([name, schema]) => [name, ajv.compile(schema)])) as Record<Channel, ValidateFunction>;

const fail = (code: IpcError['code'], message: string): { ok: false; error: IpcError } => ({ ok: false, error: { code, message } });

export function createHandlers(deps: HandlerDeps): Handlers {
  const now = deps.now ?? Date.now;
  const newToken = deps.newToken ?? (() => globalThis.crypto.randomUUID().replace(/-/g, ''));
  const newRequestId = deps.newRequestId ?? (() => globalThis.crypto.randomUUID());
  const sessionMs = deps.staffSessionMs ?? 5 * 60_000;
  const sessions = new Map<string, { expires: number; role: StaffRole }>();
  const lockout = new PinLockout({ now });

  /** The session of a staff token while unexpired (each use extends it, like a screen lock), else null. */
  const staffSession = (token: string): { expires: number; role: StaffRole } | null => {
    const s = sessions.get(token);
    if (s === undefined || s.expires < now()) {
      sessions.delete(token);
      return null;
    }
    s.expires = now() + sessionMs;
    return s;
  };
  const staffOk = (token: string): boolean => staffSession(token) !== null;

  function wrap<K extends Channel>(channel: K, run: (req: ChannelRequest<K>, ctx: CallContext) => Promise<IpcResult<ChannelResponse<K>>>) {
    return async (request: unknown, ctx: CallContext = { source: SCREEN_SOURCE }): Promise<IpcResult<ChannelResponse<K>>> => {
      const validate = validators[channel];
      if (!validate(request ?? {})) return fail('bad_request', `${channel}: ${describeErrors(validate, 'request')}`);
      try {
        return await run((request ?? {}) as ChannelRequest<K>, ctx);
      } catch (e) {
        // Expected at a kiosk whose hub is down: staff get the reason, and it is no fault worth a log line.
        if (e instanceof HubUnavailableError) return fail(e.code, e.message);
        if (e instanceof KioskRefusal) return { ok: false, error: { code: e.code, message: e.message, ...e.extra } };
        if (e instanceof DeskRefusal) return fail(e.code, e.message);
        deps.logError?.(channel, e);
        return fail('unavailable', 'The kiosk could not complete this; please ask staff.');
      }
    };
  }

  const staffLocked = () => fail('staff_locked', 'Staff mode is locked: enter the PIN again.');
  /**
   * The role the hub hears (by_role). A kiosk without a supervisor PIN gives its one PIN every right (staff-roles.ts),
   * so the hub is told so: else it would refuse the moves and undos this door allows, asking for a PIN that does not exist.
   */
  const deskRole = (session: { role: StaffRole }): StaffRole => (deps.service.hasSupervisorPin() ? session.role : 'supervisor');

  return {
    'checkin.scan': wrap('checkin.scan', async (req) => ({ ok: true, value: await deps.service.scan(req) })),
    'guests.search': wrap('guests.search', async (req) => {
      if (!staffOk(req.staff_token)) return staffLocked();
      return { ok: true, value: await deps.service.search(req.query) };
    }),
    'checkin.manual': wrap('checkin.manual', async (req) => {
      if (!staffOk(req.staff_token)) return staffLocked();
      const result = await deps.service.manualCheckin(req.guest_id);
      return result ? { ok: true, value: result } : fail('not_found', `No guest with id "${req.guest_id}".`);
    }),
    'staff.unlock': wrap('staff.unlock', async (req, ctx) => {
      const wait = lockout.lockedFor(ctx.source);
      if (wait > 0) return fail('too_many_attempts', `Too many wrong PINs: try again in ${Math.ceil(wait / 60_000)} min.`);
      const role = deps.service.staffRoleForPin(req.pin);
      if (!role) {
        const failure = lockout.failed(ctx.source);
        // Audited at the hub (staff.pin_failed). A store that cannot take the event must not turn "Wrong PIN" into a fault.
        try {
          deps.service.pinFailed(failure);
        } catch (e) {
          deps.logError?.('staff.unlock', e);
        }
        return fail('wrong_pin', 'Wrong PIN.');
      }
      lockout.succeeded(ctx.source);
      const token = newToken();
      const expires = now() + sessionMs;
      sessions.set(token, { expires, role });
      const supervisor_rights = requireRole({ role }, 'supervisor', deps.service.hasSupervisorPin()) === null;
      return { ok: true, value: { staff_token: token, expires_at: new Date(expires).toISOString(), role, supervisor_rights } };
    }),
    'staff.lock': wrap('staff.lock', async (req) => {
      sessions.delete(req.staff_token);
      return { ok: true, value: { locked: true } };
    }),
    'kiosk.status': wrap('kiosk.status', async () => ({ ok: true, value: await deps.service.status() })),
    'kiosk.setup': wrap('kiosk.setup', async () => ({ ok: true, value: await deps.service.setup() })),
    'staff.seating': wrap('staff.seating', async (req) => {
      if (!staffOk(req.staff_token)) return staffLocked();
      return { ok: true, value: await deps.service.seatingCounts() };
    }),
    'staff.pairTablet': wrap('staff.pairTablet', async (req) => {
      const session = staffSession(req.staff_token);
      if (!session) return staffLocked();
      // A supervisor pairs devices, and may pair a tablet for either role.
      const refused = requireRole(session, 'supervisor', deps.service.hasSupervisorPin());
      if (refused) return { ok: false, error: refused };
      return { ok: true, value: await deps.service.pairTablet(req.label, req.role ?? 'steward') };
    }),
    // No staff session: this is the guest's own screen; the service rate-limits it.
    'guest.findTable': wrap('guest.findTable', async (req) => ({ ok: true, value: await deps.service.findTable(req.surname_prefix) })),
    // The venue desk: the hub decides (table, free seats, its size limit for stewards' walk-ins); the kiosk checks the
    // session, refuses here what the role plainly may not do, and names its door and the session's role.
    'desk.proposeWalkIn': wrap('desk.proposeWalkIn', async ({ staff_token, ...req }) => {
      const session = staffSession(staff_token);
      if (!session) return staffLocked();
      return { ok: true, value: await deps.service.deskProposeWalkIn(req, deskRole(session)) };
    }),
    'desk.addWalkIn': wrap('desk.addWalkIn', async ({ staff_token, request_id, ...req }) => {
      const session = staffSession(staff_token);
      if (!session) return staffLocked();
      return { ok: true, value: await deps.service.deskAddWalkIn({ ...req, request_id: request_id ?? newRequestId() }, deskRole(session)) };
    }),
    'desk.move': wrap('desk.move', async ({ staff_token, request_id, ...req }) => {
      const session = staffSession(staff_token);
      if (!session) return staffLocked();
      // Another table needs a supervisor (the guest's own table, as this door knows it, is no move); the size alone does not.
      const toOtherTable = req.to_table_id !== undefined && req.to_table_id !== deps.service.guestTable(req.guest_id);
      const refused = toOtherTable ? requireRole(session, 'supervisor', deps.service.hasSupervisorPin()) : null;
      if (refused) return { ok: false, error: refused };
      return { ok: true, value: await deps.service.deskMove({ ...req, request_id: request_id ?? newRequestId() }, deskRole(session)) };
    }),
    'desk.revert': wrap('desk.revert', async ({ staff_token, request_id, ...req }) => {
      const session = staffSession(staff_token);
      if (!session) return staffLocked();
      const refused = requireRole(session, 'supervisor', deps.service.hasSupervisorPin());
      if (refused) return { ok: false, error: refused };
      return { ok: true, value: await deps.service.deskRevert({ ...req, request_id: request_id ?? newRequestId() }, deskRole(session)) };
    }),
  };
}

/** One entry point for transports that receive the channel name as a string (HTTP path, ipcMain). */
export async function dispatch(handlers: Handlers, channel: string, request: unknown, ctx?: CallContext): Promise<IpcResult<unknown>> {
  if (!isChannel(channel)) return fail('unknown_channel', `Unknown channel "${channel}".`);
  return handlers[channel](request, ctx);
}
