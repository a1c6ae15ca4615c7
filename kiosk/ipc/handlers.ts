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
import { PinLockout, SCREEN_SOURCE } from './pin-lockout';
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

export interface HandlerDeps {
  service: KioskServicePort;
  now?: () => number;
  newToken?: () => string;
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
        deps.logError?.(channel, e);
        return fail('unavailable', 'The kiosk could not complete this; please ask staff.');
      }
    };
  }

  const staffLocked = () => fail('staff_locked', 'Staff mode is locked: enter the PIN again.');

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
        lockout.failed(ctx.source);
        return fail('wrong_pin', 'Wrong PIN.');
      }
      lockout.succeeded(ctx.source);
      const token = newToken();
      const expires = now() + sessionMs;
      sessions.set(token, { expires, role });
      return { ok: true, value: { staff_token: token, expires_at: new Date(expires).toISOString(), role } };
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
  };
}

/** One entry point for transports that receive the channel name as a string (HTTP path, ipcMain). */
export async function dispatch(handlers: Handlers, channel: string, request: unknown, ctx?: CallContext): Promise<IpcResult<unknown>> {
  if (!isChannel(channel)) return fail('unknown_channel', `Unknown channel "${channel}".`);
  return handlers[channel](request, ctx);
}
