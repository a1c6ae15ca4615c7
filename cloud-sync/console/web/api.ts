// The console API's typed client: one function per route of /console/api, typed by the core/console schemas (types
// only: nothing of TypeBox reaches the bundle). Every write carries the session's CSRF token; a 401 no_session
// anywhere clears the session, which takes the page back to sign-in.
import type { Static } from '@sinclair/typebox';
import type { AuditChainState, AuditPage, AuditQuery } from '../../../core/console/audit';
import type {
  AccountPatch, AccountRow, InviteRequest, LoginRequest, PasswordLink, PasswordLinkInfo, SessionInfo, SessionListSchema, SetPasswordRequest,
} from '../../../core/console/auth';
import type { SeatConflict, SeatConflictList, VenueAuditChainList } from '../../../core/console/desk';
import type { DeviceList, PairCode, PairCodeRequest, DeviceRevokedSchema } from '../../../core/console/devices';
import type { ConsoleErrorBody, ConsoleErrorCode, ImportProblemRow } from '../../../core/console/errors';
import { GUEST_FILTER_KEYS, type GuestFilter } from '../../../core/console/guest-filter';
import type {
  GuestDetail, GuestImportReport, GuestList, GuestPatch, ImportStreamLine, Occasion, OccasionInput, OccasionPatch, Venue, VenueInput,
} from '../../../core/console/guests';
import type { LiveSnapshot } from '../../../core/console/live';
import type {
  LayoutDraft, LayoutImage, LayoutSave, LayoutVersion, LayoutVersionList, PublishPreview, PublishRequest, PublishResult,
} from '../../../core/console/layout';
import type {
  ApplyRequest, ApplyResult, AutoJob, AutoRequest, LockRequest, MoveRequest, MoveResult, PartyRelations, SeatingChart,
} from '../../../core/console/seating';
import type { CSRF_HEADER } from '../../../core/console/errors';
import { clearSession, session } from './state';

export const API = '/console/api';
// The header's name, checked against core's constant by the compiler; a value import of errors.ts would pull TypeBox
// into the bundle (its schemas are built at module load).
const CSRF: typeof CSRF_HEADER = 'x-csrf-token';

/** A refused or failed request: `code` is the API's error code, or `network` when no answer came. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ConsoleErrorCode | 'network' | 'unexpected',
    message: string,
    readonly problems: ImportProblemRow[] = [],
    readonly retryAfterS: number | null = null,
    /** seat_refused: why the move was refused. */
    readonly refusal: ConsoleErrorBody['refusal'] | null = null,
    /** confirm_needed: what publishing would do. */
    readonly preview: ConsoleErrorBody['preview'] | null = null,
  ) {
    super(message);
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

async function errorFrom(res: Response): Promise<ApiError> {
  let body: Partial<ConsoleErrorBody> = {};
  try {
    body = (await res.json()) as Partial<ConsoleErrorBody>;
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  const err = new ApiError(res.status, body.error ?? 'unexpected', body.message ?? res.statusText, body.problems ?? [], body.retry_after_s ?? null, body.refusal ?? null, body.preview ?? null);
  if (err.code === 'no_session' && session.value) clearSession();
  return err;
}

function headersFor(method: Method, extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json', ...extra };
  const csrf = session.value?.csrf_token;
  if (method !== 'GET' && csrf) h[CSRF] = csrf;
  return h;
}

async function fetchOnce(method: Method, path: string, body?: BodyInit, extra?: Record<string, string>): Promise<Response> {
  try {
    return await fetch(API + path, { method, headers: headersFor(method, extra), credentials: 'same-origin', ...(body !== undefined ? { body } : {}) });
  } catch (e) {
    throw new ApiError(0, 'network', (e as Error).message);
  }
}

async function send(method: Method, path: string, body?: BodyInit, extra?: Record<string, string>): Promise<Response> {
  const res = await fetchOnce(method, path, body, extra);
  if (res.ok) return res;
  const err = await errorFrom(res);
  // The cookie now holds another session than the page knows (signed in again in another tab): learn it, and if it
  // is still the same person, send the write again with the new token; otherwise the page shows who is signed in now.
  if (err.code === 'csrf_mismatch' && method !== 'GET' && session.value) {
    const known = session.value.account.id;
    const fresh = await fetchOnce('GET', '/session');
    if (!fresh.ok) throw await errorFrom(fresh);
    session.value = (await fresh.json()) as SessionInfo;
    if (session.value.account.id === known) {
      const again = await fetchOnce(method, path, body, extra);
      if (again.ok) return again;
      throw await errorFrom(again);
    }
  }
  throw err;
}

async function call<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? {} : { 'content-type': 'application/json' });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

const enc = encodeURIComponent;

/** The query string of a guest filter, empty parts left out (the export link and the list's address share it). */
export function filterQuery(f: GuestFilter): string {
  const p = new URLSearchParams();
  for (const k of GUEST_FILTER_KEYS) {
    const v = f[k];
    if (v) p.set(k, v);
  }
  return p.toString();
}

/** Reads `Accept: application/x-ndjson` import answers line by line. */
async function readLines(res: Response, onLine: (line: ImportStreamLine) => void): Promise<void> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    buffered += decoder.decode(value, { stream: !done });
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line) onLine(JSON.parse(line) as ImportStreamLine);
    }
    if (done) break;
  }
  if (buffered.trim()) onLine(JSON.parse(buffered) as ImportStreamLine);
}

export const api = {
  // --- signing in ---------------------------------------------------------------------------------------------------
  session: () => call<SessionInfo>('GET', '/session'),
  login: (body: LoginRequest) => call<SessionInfo>('POST', '/login', body),
  logout: () => call<void>('POST', '/logout'),
  logoutEverywhere: () => call<void>('POST', '/logout-everywhere'),
  passwordLink: (token: string) => call<PasswordLinkInfo>('POST', '/password-link', { token }),
  setPassword: (body: SetPasswordRequest) => call<SessionInfo>('POST', '/set-password', body),
  sessions: () => call<Static<typeof SessionListSchema>>('GET', '/sessions'),
  revokeSession: (id: string) => call<void>('DELETE', `/sessions/${enc(id)}`),
  accounts: () => call<{ accounts: AccountRow[] }>('GET', '/accounts'),
  invite: (body: InviteRequest) => call<PasswordLink>('POST', '/accounts', body),
  patchAccount: (id: string, body: AccountPatch) => call<AccountRow>('PATCH', `/accounts/${enc(id)}`, body),
  accountLink: (id: string) => call<PasswordLink>('POST', `/accounts/${enc(id)}/link`),

  // --- venues and occasions -------------------------------------------------------------------------------------------
  venues: () => call<{ venues: Venue[] }>('GET', '/venues'),
  createVenue: (body: VenueInput) => call<Venue>('POST', '/venues', body),
  patchVenue: (id: string, body: VenueInput) => call<Venue>('PATCH', `/venues/${enc(id)}`, body),
  occasions: (venueId: string) => call<{ occasions: Occasion[] }>('GET', `/occasions?venue_id=${enc(venueId)}`),
  occasion: (id: string) => call<Occasion>('GET', `/occasions/${enc(id)}`),
  createOccasion: (body: OccasionInput) => call<Occasion>('POST', '/occasions', body),
  patchOccasion: (id: string, body: OccasionPatch) => call<Occasion>('PATCH', `/occasions/${enc(id)}`, body),

  // --- guests -----------------------------------------------------------------------------------------------------------
  guestList: (occasionId: string) => call<GuestList>('GET', `/occasions/${enc(occasionId)}/guests`),
  guest: (id: string) => call<GuestDetail>('GET', `/guests/${enc(id)}`),
  patchGuest: (id: string, body: GuestPatch) => call<GuestDetail>('PATCH', `/guests/${enc(id)}`, body),
  /** The answer names the guest, its status and version (manage.ts revokeGuest); read the detail for the rest. */
  revokeGuest: (id: string) => call<{ guest_id: string; status: 'revoked'; version: number }>('POST', `/guests/${enc(id)}/revoke`),
  deleteGuest: (id: string) => call<{ guest_id: string; deleted: true; version: number }>('DELETE', `/guests/${enc(id)}`),
  /** The export of what the list shows: a plain link (the cookie goes along), so the browser downloads it. */
  exportUrl: (occasionId: string, f: GuestFilter) => {
    const q = filterQuery(f);
    return `${API}/occasions/${enc(occasionId)}/guests.csv${q ? `?${q}` : ''}`;
  },
  /**
   * Uploads a guest CSV and follows the import's progress. Resolves with the report; rejects with an ApiError
   * (import_refused carries every bad row in `problems`, nothing imported).
   */
  importGuests: async (occasionId: string, file: Blob, onProgress: (p: { stage: string; done: number; total: number }) => void): Promise<GuestImportReport> => {
    const res = await send('POST', `/occasions/${enc(occasionId)}/guests/import`, file, { 'content-type': 'text/csv', accept: 'application/x-ndjson' });
    let report: GuestImportReport | null = null;
    let refused: ApiError | null = null;
    if (!(res.headers.get('content-type') ?? '').includes('ndjson')) return (await res.json()) as GuestImportReport;
    await readLines(res, (line) => {
      if ('stage' in line) onProgress(line);
      else if ('result' in line) report = line.result;
      else refused = new ApiError(line.error === 'import_refused' ? 422 : 500, line.error as ConsoleErrorCode, line.message, line.problems ?? []);
    });
    if (refused) throw refused;
    if (!report) throw new ApiError(res.status, 'unexpected', 'the import stream ended without a result');
    return report;
  },

  // --- the Seat Designer: a venue's layout (routes/layouts.ts) ---------------------------------------------------------
  layout: (venueId: string) => call<LayoutDraft>('GET', `/venues/${enc(venueId)}/layout`),
  saveLayout: (venueId: string, body: LayoutSave) => call<LayoutDraft>('PUT', `/venues/${enc(venueId)}/layout`, body),
  previewPublish: (venueId: string, revision: number) => call<PublishPreview>('POST', `/venues/${enc(venueId)}/layout/preview`, { revision }),
  publishLayout: (venueId: string, body: PublishRequest) => call<PublishResult>('POST', `/venues/${enc(venueId)}/layout/publish`, body),
  layoutVersions: (venueId: string) => call<LayoutVersionList>('GET', `/venues/${enc(venueId)}/layout/versions`),
  /** `version` a number, or 'latest' (the newest published: what the doors and the seating chart show). */
  layoutVersion: (venueId: string, version: number | 'latest') => call<LayoutVersion>('GET', `/venues/${enc(venueId)}/layout/versions/${version}`),
  restoreLayout: (venueId: string, version: number, revision: number) => call<LayoutDraft>('POST', `/venues/${enc(venueId)}/layout/versions/${version}/restore`, { revision }),
  uploadImage: async (venueId: string, file: Blob) => {
    const res = await send('POST', `/venues/${enc(venueId)}/layout/images`, file, { 'content-type': file.type || 'application/octet-stream' });
    return (await res.json()) as LayoutImage;
  },
  imageUrl: (venueId: string, imageId: string) => `${API}/venues/${enc(venueId)}/layout/images/${enc(imageId)}`,

  // --- the seating chart (routes/seating.ts) -------------------------------------------------------------------------
  seating: (occasionId: string) => call<SeatingChart>('GET', `/occasions/${enc(occasionId)}/seating`),
  moveParty: (occasionId: string, body: MoveRequest) => call<MoveResult>('POST', `/occasions/${enc(occasionId)}/seating/move`, body),
  lockParty: (occasionId: string, body: LockRequest) => call<MoveResult>('POST', `/occasions/${enc(occasionId)}/seating/lock`, body),
  setRelations: (occasionId: string, guestId: string, body: PartyRelations) => call<SeatingChart['relations']>('PUT', `/occasions/${enc(occasionId)}/seating/relations/${enc(guestId)}`, body),
  startAuto: (occasionId: string, body: AutoRequest) => call<AutoJob>('POST', `/occasions/${enc(occasionId)}/seating/auto`, body),
  autoJob: (occasionId: string, jobId: string) => call<AutoJob>('GET', `/occasions/${enc(occasionId)}/seating/auto/${enc(jobId)}`),
  applyPlan: (occasionId: string, body: ApplyRequest) => call<ApplyResult>('POST', `/occasions/${enc(occasionId)}/seating/apply`, body),

  // --- devices, live view, audit (part B's pages) ---------------------------------------------------------------------
  devices: (venueId: string) => call<DeviceList>('GET', `/venues/${enc(venueId)}/devices`),
  pairingCode: (venueId: string, body: PairCodeRequest) => call<PairCode>('POST', `/venues/${enc(venueId)}/pairing-codes`, body),
  revokeDevice: (id: string) => call<Static<typeof DeviceRevokedSchema>>('POST', `/devices/${enc(id)}/revoke`),
  /** For an EventSource ('snapshot' events carry a LiveSnapshot). */
  liveUrl: (occasionId: string) => `${API}/occasions/${enc(occasionId)}/live`,
  live: (occasionId: string) => call<LiveSnapshot>('GET', `/occasions/${enc(occasionId)}/live.json`),
  audit: (query: AuditQuery) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') p.set(k, String(v));
    const qs = p.toString();
    return call<AuditPage>('GET', `/audit${qs ? `?${qs}` : ''}`);
  },
  auditChain: () => call<AuditChainState>('GET', '/audit/chain'),
  /** Each venue's hub audit chain as the cloud holds it. */
  auditVenues: () => call<VenueAuditChainList>('GET', '/audit/venues'),

  // --- the venue desk's seat conflicts (routes/seat-conflicts.ts) -------------------------------------------------------
  seatConflicts: (venueId: string) => call<SeatConflictList>('GET', `/venues/${enc(venueId)}/seat-conflicts`),
  acknowledgeConflict: (venueId: string, id: number) => call<SeatConflict>('POST', `/venues/${enc(venueId)}/seat-conflicts/${id}/acknowledge`),
};
