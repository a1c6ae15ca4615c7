// The table tablets' side of the hub: the page (/tablet, a PWA) and its API (/tablet/api/*, a bearer token from
// pairing), with a live stream of each tablet's board and of the VIPs arriving for it, and the desk's routes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  TabletPairRequestSchema,
  TagAssignRequestSchema,
  TapRequestSchema,
  type Board,
  type TabletMe,
  type TabletPairRequest,
  type TabletTables,
  type TagAssigned,
  type TagAssignRequest,
  type TagUnassigned,
  type TapRequest,
  type TapResponse,
  type UndoResponse,
} from '../../core/contract/staff';
import type { VipAlert } from '../../core/contract/desk';
import { ajv } from '../../core/contract/validate';
import type { VenueDesk } from '../desk/venue-desk';
import { RateLimiter } from '../../protocol/rate-limit';
import type { TapOutcome, UndoOutcome } from './arrivals';
import { buildTabletAssets, type TabletAssets } from './assets';
import { tabletCsp, tabletSecurityHeaders } from './csp';
import { fail, parseBody } from './route-helpers';
import type { TabletStore } from './store';
import { registerTabletDeskRoutes } from './tablet-desk-routes';
import type { TabletCaller } from './tablet-roles';

const validators = {
  pair: ajv.compile(TabletPairRequestSchema),
  tap: ajv.compile(TapRequestSchema),
  tag: ajv.compile(TagAssignRequestSchema),
};

interface Stream {
  tabletId: string;
  tables: string[];
  /** A host tablet: every VIP's arrival, whatever its tables. */
  host: boolean;
  reply: FastifyReply;
  last: string;
}

/** The open board streams: each gets the whole board whenever what it shows changed. */
export class BoardStreams {
  private readonly open = new Set<Stream>();

  constructor(
    private readonly store: TabletStore,
    /** The VIP arrivals a stream that opens now is told of (vip-alerts.ts). */
    private readonly recentVips: () => VipAlert[] = () => [],
  ) {}

  get size(): number {
    return this.open.size;
  }

  add(s: Stream): void {
    this.open.add(s);
    // The response's close: the tablet went away (the request's own close only says its body was read).
    s.reply.raw.on('close', () => this.open.delete(s));
    this.send(s, this.store.board(s.tables));
    for (const alert of this.recentVips()) this.sendVip(s, alert);
  }

  refreshAll(): void {
    for (const s of this.open) this.send(s, this.store.board(s.tables));
  }

  /** A tablet revoked from the CLI (another process) changes nothing else here: its streams are closed by looking. */
  closeRevoked(): void {
    for (const s of this.open) {
      if (this.store.tabletStatus(s.tabletId) === 'ok') continue;
      s.reply.raw.end(`event: unauthorized\ndata: ${JSON.stringify({ error: 'tablet_revoked' })}\n\n`);
      this.open.delete(s);
    }
  }

  /** A VIP checked in: the tablets showing their table, and every host tablet, hear it. */
  vip(alert: VipAlert): void {
    for (const s of this.open) this.sendVip(s, alert);
  }

  private sendVip(s: Stream, alert: VipAlert): void {
    if (s.host || (alert.table_id !== null && s.tables.includes(alert.table_id))) s.reply.raw.write(`event: vip\ndata: ${JSON.stringify(alert)}\n\n`);
  }

  keepAlive(): void {
    for (const s of this.open) s.reply.raw.write(': keep-alive\n\n');
  }

  closeAll(): void {
    for (const s of this.open) s.reply.raw.end();
    this.open.clear();
  }

  private send(s: Stream, board: Board): void {
    const { now_ms: _n, ...shown } = board;
    const key = JSON.stringify(shown);
    if (key === s.last) return;
    s.last = key;
    s.reply.raw.write(`event: board\ndata: ${JSON.stringify(board)}\n\n`);
  }
}

export interface TabletRouteDeps {
  store: TabletStore;
  streams: BoardStreams;
  now: () => number;
  undoMs: number;
  /** Something a board shows changed: refresh the streams now rather than at the next tick. */
  wake: () => void;
  /** The hub's desk: the tablets' walk-ins, moves and undo. */
  desk: VenueDesk;
}

export async function registerTabletApiRoutes(app: FastifyInstance, deps: TabletRouteDeps): Promise<void> {
  const { store, streams, now, undoMs, wake, desk } = deps;
  // A page that cannot be built must not keep the hub from serving the doors: /tablet then says what is missing.
  let assets: TabletAssets | null = null;
  let assetsError = '';
  try {
    assets = await buildTabletAssets();
  } catch (e) {
    assetsError = (e as Error).message;
    app.log.error(`tablet page unavailable: ${assetsError}`);
  }
  const pairLimiter = new RateLimiter({ perSecond: 0.2, burst: 10 });
  const security = tabletSecurityHeaders(tabletCsp(assets?.html ?? ''));

  // --- the page ----------------------------------------------------------------------------------------------------
  const page = (path: string, type: string, body: (a: TabletAssets) => string, extra: Record<string, string> = {}) =>
    app.get(path, async (_req, reply) => {
      reply.headers(security);
      if (!assets) return reply.code(503).header('content-type', 'text/plain; charset=utf-8').send(`SeatPilot hub: ${assetsError}\n`);
      return reply.header('content-type', type).header('cache-control', 'no-cache').headers(extra).send(body(assets));
    });
  page('/tablet', 'text/html; charset=utf-8', (a) => a.html);
  page('/tablet/', 'text/html; charset=utf-8', (a) => a.html);
  page('/tablet/app.js', 'text/javascript; charset=utf-8', (a) => a.appJs);
  page('/tablet/sw.js', 'text/javascript; charset=utf-8', (a) => a.swJs, { 'service-worker-allowed': '/tablet' });
  page('/tablet/manifest.webmanifest', 'application/manifest+json', (a) => a.manifest);
  page('/tablet/icon.svg', 'image/svg+xml', (a) => a.iconSvg);

  // --- tablet auth -------------------------------------------------------------------------------------------------
  const touched = new Map<string, number>();
  /** The paired tablet calling (its id and role), or null once the reply said 401. */
  const tabletOf = (request: FastifyRequest, reply: FastifyReply): TabletCaller | null => {
    const h = request.headers.authorization;
    const m = typeof h === 'string' ? /^Bearer\s+(\S+)$/i.exec(h) : null;
    if (!m) {
      fail(reply, 401, 'tablet_unpaired', 'This tablet is not paired. Ask staff for a pairing code.');
      return null;
    }
    const check = store.checkToken(m[1] as string);
    switch (check.status) {
      case 'ok': {
        // "Last seen" for `tablet list`, written at most once a minute: every write here is a durable commit.
        const t = now();
        if (t - (touched.get(check.tablet.id) ?? 0) > 60_000) {
          touched.set(check.tablet.id, t);
          store.touchTablet(check.tablet.id);
        }
        return { id: check.tablet.id, role: check.tablet.role, host: check.tablet.host };
      }
      case 'unknown':
        fail(reply, 401, 'tablet_token_invalid', 'This tablet is not paired with this hub. Ask staff to pair it again.');
        return null;
      case 'revoked':
        fail(reply, 401, 'tablet_revoked', 'This tablet was unpaired by staff. Ask staff to pair it again.');
        return null;
      default: {
        const never: never = check;
        return never;
      }
    }
  };

  const parseTables = (raw: unknown): string[] | null => {
    if (typeof raw !== 'string' || raw === '') return null;
    const ids = raw.split(',').map((s) => s.trim()).filter(Boolean);
    return ids.length && ids.length <= 50 && ids.every((id) => id.length <= 128) ? ids : null;
  };

  // --- the API -----------------------------------------------------------------------------------------------------
  app.post('/tablet/api/pair', async (request, reply) => {
    const wait = pairLimiter.take(request.ip, now());
    if (wait > 0) return fail(reply.header('retry-after', String(wait)), 429, 'rate_limited', `Too many pairing attempts; wait ${wait} s.`);
    const body = parseBody<TabletPairRequest>(request, validators.pair);
    const paired = store.redeemPairingCode(body.code, body.label);
    if (!paired) return fail(reply, 401, 'bad_pairing_code', 'This code is wrong, used or expired. Ask staff for a new one.');
    return reply.code(201).send(paired);
  });

  app.get('/tablet/api/me', async (request, reply) => {
    const tablet = tabletOf(request, reply);
    if (tablet === null) return reply;
    return { tablet_id: tablet.id, role: tablet.role, host: tablet.host === true, undo_seconds: undoMs / 1000, now_ms: now() } satisfies TabletMe;
  });

  app.get('/tablet/api/tables', async (request, reply) => {
    if (tabletOf(request, reply) === null) return reply;
    return { now_ms: now(), ...store.counts() } satisfies TabletTables;
  });

  app.get('/tablet/api/board', async (request, reply) => {
    if (tabletOf(request, reply) === null) return reply;
    const tables = parseTables((request.query as Record<string, unknown>).tables);
    if (!tables) return fail(reply, 400, 'bad_request', 'pick one or more tables: ?tables=ID,ID');
    return store.board(tables);
  });

  // Server-sent events over a plain GET: the page reads it with fetch (so the token travels in a header, never in a
  // URL that could reach a log) and gets the whole board whenever it changes.
  app.get('/tablet/api/stream', async (request, reply) => {
    const tablet = tabletOf(request, reply);
    if (tablet === null) return reply;
    const tabletId = tablet.id;
    const tables = parseTables((request.query as Record<string, unknown>).tables);
    if (!tables) return fail(reply, 400, 'bad_request', 'pick one or more tables: ?tables=ID,ID');
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    streams.add({ tabletId, tables, host: tablet.host === true, reply, last: '' });
    return reply;
  });

  // Confirming an arrival is a steward's job: no role check.
  app.post('/tablet/api/arrivals', async (request, reply) => {
    const tablet = tabletOf(request, reply);
    if (tablet === null) return reply;
    const tabletId = tablet.id;
    const body = parseBody<TapRequest>(request, validators.tap);
    const tappedAt = body.tapped_at ? Date.parse(body.tapped_at) : null;
    const outcome: TapOutcome = store.tap({ key: body.key, guestId: body.guest_id, tableId: body.table_id ?? null, tappedAtMs: tappedAt, tabletId });
    wake();
    switch (outcome.kind) {
      case 'created':
        return reply.code(201).send({ status: 'pending', arrival: outcome.arrival } satisfies TapResponse);
      case 'duplicate':
        return reply.code(200).send({ status: outcome.arrival.state, arrival: outcome.arrival } satisfies TapResponse);
      case 'already_arrived':
        return fail(reply, 409, 'already_arrived', 'This guest is already seated.', { arrival: outcome.arrival });
      case 'unknown_guest':
        return fail(reply, 404, 'unknown_guest', 'No such guest in the guest list.');
      case 'not_checked_in':
        return fail(reply, 409, 'not_checked_in', 'This guest has not checked in at the door yet.');
      case 'key_reused':
        return fail(reply, 409, 'key_reused', 'This tap key was used for another guest.');
      default: {
        const never: never = outcome;
        return never;
      }
    }
  });

  app.delete('/tablet/api/arrivals/:key', async (request, reply) => {
    const tablet = tabletOf(request, reply);
    if (tablet === null) return reply;
    const key = (request.params as { key: string }).key;
    const outcome: UndoOutcome = store.undo(key, tablet.id);
    wake();
    switch (outcome.kind) {
      case 'undone':
        return { status: 'undone' } satisfies UndoResponse;
      case 'not_found':
        return fail(reply, 404, 'not_found', 'No such tap.');
      case 'window_over':
        return fail(reply, 409, 'undo_window_over', 'Too late to undo: the arrival was already recorded.');
      case 'not_undoable':
        return fail(reply, 409, 'not_undoable', 'Beacon arrivals cannot be undone from a tablet.');
      default: {
        const never: never = outcome;
        return never;
      }
    }
  });

  registerTabletDeskRoutes(app, { desk, store, tabletOf, wake });

  app.put('/tablet/api/beacon-tags/:tag', async (request, reply) => {
    if (tabletOf(request, reply) === null) return reply;
    const tag = (request.params as { tag: string }).tag;
    if (tag.length < 1 || tag.length > 200) return fail(reply, 400, 'bad_request', 'a tag is 1–200 characters');
    const body = parseBody<TagAssignRequest>(request, validators.tag);
    if (store.assignTag(tag, body.guest_id) === 'unknown_guest') return fail(reply, 404, 'unknown_guest', 'No such guest in the guest list.');
    return { tag, guest_id: body.guest_id } satisfies TagAssigned;
  });

  app.delete('/tablet/api/beacon-tags/:tag', async (request, reply) => {
    if (tabletOf(request, reply) === null) return reply;
    const tag = (request.params as { tag: string }).tag;
    if (!store.unassignTag(tag)) return fail(reply, 404, 'not_found', 'This tag is not assigned.');
    return { tag, status: 'unassigned' } satisfies TagUnassigned;
  });
}
