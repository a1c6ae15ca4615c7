// The agent's tablet and beacon routes: the tablet page (/tablet, a PWA), its token-guarded API (/tablet/api/*) with
// a live stream of the board, and the signed /v1 routes for beacon gateways and the kiosks' staff mode.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ValidateFunction } from 'ajv';
import { Counter, Histogram } from 'prom-client';
import type { SeatPilotEvent } from '../../core/contract/contract';
import { BeaconDwellTracker, type BeaconDwellOptions, type DwellEvent } from '../../core/arrival/beacon-dwell';
import { DOOR_TO_SEAT_BUCKETS, doorToSeat } from '../../core/arrival/door-to-seat';
import { ajv, describeErrors } from '../../core/contract/validate';
import { authenticate } from '../../protocol/auth';
import { WireError } from '../../protocol/errors';
import type { ServerMetrics } from '../../protocol/metrics';
import { RateLimiter } from '../../protocol/rate-limit';
import type { Caller } from '../../protocol/store';
import type { AgentStore } from '../store';
import { TabletStore } from './store';
import type { TapOutcome, UndoOutcome } from './arrivals';
import {
  BeaconSightingsSchema,
  TabletPairingCodeRequestSchema,
  TabletPairRequestSchema,
  TagAssignRequestSchema,
  TapRequestSchema,
  type BeaconSightings,
  type Board,
  type TabletErrorCode,
  type TabletPairingCodeRequest,
  type TabletPairRequest,
  type TagAssignRequest,
  type TapRequest,
} from '../../core/contract/staff';
import { buildTabletAssets, type TabletAssets } from './assets';
import { tabletCsp, tabletSecurityHeaders } from './csp';

export interface TabletOptions {
  venueId: string;
  /** The agent's own device id (seat.arrived events are the agent's). */
  deviceId: string;
  /** Undo window of a tablet tap. Default 10 s. */
  undoSeconds?: number;
  /** Lifetime of a pairing code. Default 10 min. */
  pairingTtlMinutes?: number;
  /** Beacon dwell smoothing (core/arrival/beacon-dwell.ts). */
  dwell?: Partial<BeaconDwellOptions>;
  /** How often pending taps are committed, dwells completed and streams refreshed. Default 250 ms. */
  tickMs?: number;
}

export interface TabletPluginDeps {
  store: AgentStore;
  metrics: ServerMetrics;
  options: TabletOptions;
  now: () => number;
  /** A seat.arrived reached the outbox: the runtime pushes right away. */
  onCommitted?: () => void;
}

function fail(reply: FastifyReply, status: number, error: TabletErrorCode, message: string, extra: Record<string, unknown> = {}): FastifyReply {
  return reply.code(status).send({ error, message, ...extra });
}

function parseBody<T>(request: FastifyRequest, validate: ValidateFunction): T {
  const raw = request.body;
  let value: unknown = raw;
  if (Buffer.isBuffer(raw)) {
    try {
      value = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      throw new WireError(400, 'bad_json', 'the body is not valid JSON');
    }
  } else if (raw === undefined || raw === null) {
    value = {};
  }
  if (!validate(value)) throw new WireError(400, 'bad_request', describeErrors(validate));
  return value as T;
}

const validators = {
  pair: ajv.compile(TabletPairRequestSchema),
  tap: ajv.compile(TapRequestSchema),
  tag: ajv.compile(TagAssignRequestSchema),
  code: ajv.compile(TabletPairingCodeRequestSchema),
  sightings: ajv.compile(BeaconSightingsSchema),
};

// Sightings older than this (gateway buffered them through a hiccup) are placed at this age: the smoother's window is
// seconds, and a stale burst must not complete a dwell that never happened.
const MAX_SIGHTING_AGE_MS = 120_000;

interface Stream {
  tabletId: string;
  tables: string[];
  reply: FastifyReply;
  last: string;
}

export interface TabletRoutes {
  store: TabletStore;
  /** Something a board shows may have changed (a batch from a door was stored): refresh the streams now. */
  wake(): void;
}

export async function registerTabletRoutes(app: FastifyInstance, deps: TabletPluginDeps): Promise<TabletRoutes> {
  const { now, options } = deps;
  const undoMs = (options.undoSeconds ?? 10) * 1000;
  const registers = [deps.metrics.registry];
  const doorToSeatHist = new Histogram({
    name: 'seatpilot_door_to_seat_seconds',
    help: 'Door check-in to arrival at the table, per seat.arrived (walks over 15 min or negative ones are outliers, left out).',
    buckets: DOOR_TO_SEAT_BUCKETS,
    registers,
  });
  const outliers = new Counter({ name: 'seatpilot_door_to_seat_outliers_total', help: 'Arrivals more than 15 min after check-in, or stamped before it (clocks disagree): kept in the events, left out of the histogram.', registers });
  const arrivalsTotal = new Counter({ name: 'seatpilot_seat_arrivals_total', help: 'seat.arrived events written, by source.', labelNames: ['source'], registers });

  const onCommitted = (e: SeatPilotEvent) => {
    if (e.type !== 'seat.arrived') return;
    arrivalsTotal.inc({ source: e.payload.source });
    const d = doorToSeat(e.payload.checked_in_at, e.occurred_at);
    if (d && !d.outlier) doorToSeatHist.observe(d.seconds);
    else if (d) outliers.inc();
  };
  const store = new TabletStore(deps.store.db, deps.store.outbox, {
    venueId: options.venueId,
    deviceId: options.deviceId,
    undoMs,
    clock: now,
    onCommitted: (e) => {
      onCommitted(e);
      deps.onCommitted?.();
    },
  });
  const tracker = new BeaconDwellTracker(options.dwell ?? {});
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
  const tabletOf = (request: FastifyRequest, reply: FastifyReply): string | null => {
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
        return check.tablet.id;
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

  app.post('/tablet/api/pair', async (request, reply) => {
    const wait = pairLimiter.take(request.ip, now());
    if (wait > 0) return fail(reply.header('retry-after', String(wait)), 429, 'rate_limited', `Too many pairing attempts; wait ${wait} s.`);
    const body = parseBody<TabletPairRequest>(request, validators.pair);
    const paired = store.redeemPairingCode(body.code, body.label);
    if (!paired) return fail(reply, 401, 'bad_pairing_code', 'This code is wrong, used or expired. Ask staff for a new one.');
    return reply.code(201).send(paired);
  });

  app.get('/tablet/api/me', async (request, reply) => {
    const id = tabletOf(request, reply);
    if (id === null) return reply;
    return { tablet_id: id, undo_seconds: undoMs / 1000, now_ms: now() };
  });

  app.get('/tablet/api/tables', async (request, reply) => {
    if (tabletOf(request, reply) === null) return reply;
    return { now_ms: now(), ...store.counts() };
  });

  app.get('/tablet/api/board', async (request, reply) => {
    if (tabletOf(request, reply) === null) return reply;
    const tables = parseTables((request.query as Record<string, unknown>).tables);
    if (!tables) return fail(reply, 400, 'bad_request', 'pick one or more tables: ?tables=ID,ID');
    return store.board(tables);
  });

  // Server-sent events over a plain GET: the page reads it with fetch (so the token travels in a header, never in a
  // URL that could reach a log) and gets the whole board whenever it changes.
  const streams = new Set<Stream>();
  app.get('/tablet/api/stream', async (request, reply) => {
    const tabletId = tabletOf(request, reply);
    if (tabletId === null) return reply;
    const tables = parseTables((request.query as Record<string, unknown>).tables);
    if (!tables) return fail(reply, 400, 'bad_request', 'pick one or more tables: ?tables=ID,ID');
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const s: Stream = { tabletId, tables, reply, last: '' };
    streams.add(s);
    // The response's close: the tablet went away (the request's own close only says its body was read).
    reply.raw.on('close', () => streams.delete(s));
    send(s, store.board(tables));
    return reply;
  });

  const send = (s: Stream, board: Board) => {
    const { now_ms: _n, ...shown } = board;
    const key = JSON.stringify(shown);
    if (key === s.last) return;
    s.last = key;
    s.reply.raw.write(`event: board\ndata: ${JSON.stringify(board)}\n\n`);
  };

  app.post('/tablet/api/arrivals', async (request, reply) => {
    const tabletId = tabletOf(request, reply);
    if (tabletId === null) return reply;
    const body = parseBody<TapRequest>(request, validators.tap);
    const tappedAt = body.tapped_at ? Date.parse(body.tapped_at) : null;
    const outcome: TapOutcome = store.tap({ key: body.key, guestId: body.guest_id, tableId: body.table_id ?? null, tappedAtMs: tappedAt, tabletId });
    wake();
    switch (outcome.kind) {
      case 'created':
        return reply.code(201).send({ status: 'pending', arrival: outcome.arrival });
      case 'duplicate':
        return reply.code(200).send({ status: outcome.arrival.state, arrival: outcome.arrival });
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
    if (tabletOf(request, reply) === null) return reply;
    const key = (request.params as { key: string }).key;
    const outcome: UndoOutcome = store.undo(key);
    wake();
    switch (outcome.kind) {
      case 'undone':
        return { status: 'undone' };
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

  app.put('/tablet/api/beacon-tags/:tag', async (request, reply) => {
    if (tabletOf(request, reply) === null) return reply;
    const tag = (request.params as { tag: string }).tag;
    if (tag.length < 1 || tag.length > 200) return fail(reply, 400, 'bad_request', 'a tag is 1–200 characters');
    const body = parseBody<TagAssignRequest>(request, validators.tag);
    if (store.assignTag(tag, body.guest_id) === 'unknown_guest') return fail(reply, 404, 'unknown_guest', 'No such guest in the guest list.');
    return { tag, guest_id: body.guest_id };
  });

  app.delete('/tablet/api/beacon-tags/:tag', async (request, reply) => {
    if (tabletOf(request, reply) === null) return reply;
    const tag = (request.params as { tag: string }).tag;
    if (!store.unassignTag(tag)) return fail(reply, 404, 'not_found', 'This tag is not assigned.');
    return { tag, status: 'unassigned' };
  });

  // --- signed /v1 routes: beacon gateways, and the kiosks' staff mode -----------------------------------------------
  const signed = async (request: FastifyRequest, kinds: Caller['deviceKind'][]): Promise<Caller> => {
    const body = Buffer.isBuffer(request.body) ? request.body : undefined;
    const caller = await authenticate(deps.store, { method: request.method, url: request.url, headers: request.headers, body }, now());
    if (!kinds.includes(caller.deviceKind)) throw new ForbiddenError(`this route is for ${kinds.join(' or ')} keys, not ${caller.deviceKind}`);
    return caller;
  };

  app.post('/v1/beacon/sightings', async (request, reply) => {
    let caller: Caller;
    try {
      caller = await signed(request, ['gateway']);
    } catch (e) {
      if (e instanceof ForbiddenError) return fail(reply, 403, 'forbidden', e.message);
      throw e;
    }
    const body = parseBody<BeaconSightings>(request, validators.sightings);
    const t = now();
    let unknownTags = 0;
    let unknownTables = 0;
    const sightings = body.sightings
      .map((s) => ({ ...s, atMs: Math.min(t, Math.max(t - MAX_SIGHTING_AGE_MS, s.seen_at ? Date.parse(s.seen_at) : t)) }))
      .sort((a, b) => a.atMs - b.atMs);
    const known = new Map<string, boolean>();
    const dwellEvents: DwellEvent[] = [];
    for (const s of sightings) {
      if (!store.tableExists(s.table_id)) {
        unknownTables++;
        continue;
      }
      let k = known.get(s.tag);
      if (k === undefined) known.set(s.tag, (k = store.tagAssigned(s.tag)));
      if (!k) {
        unknownTags++;
        continue;
      }
      gatewayOf.set(s.tag, caller.deviceId);
      dwellEvents.push(...tracker.sight({ tag: s.tag, table: s.table_id, rssi: s.rssi, atMs: s.atMs }));
    }
    const arrivals = settle(dwellEvents, caller.deviceId);
    wake();
    return { accepted: sightings.length - unknownTags - unknownTables, unknown_tags: unknownTags, unknown_tables: unknownTables, arrivals };
  });

  const gatewayOf = new Map<string, string>();
  const settle = (events: DwellEvent[], gateway?: string) => {
    const arrivals: Array<{ guest_id: string; table_id: string }> = [];
    for (const e of events) {
      if (e.type !== 'arrived') continue;
      const r = store.beaconSettled({ tag: e.tag, tableId: e.table, atMs: e.sinceMs, gatewayDevice: gateway ?? gatewayOf.get(e.tag) ?? 'gateway' });
      if (r.kind === 'arrived' && r.event.type === 'seat.arrived') arrivals.push({ guest_id: r.event.payload.guest_id, table_id: r.event.payload.table_id });
    }
    return arrivals;
  };

  app.post('/v1/tablets/pairing-codes', async (request, reply) => {
    let caller: Caller;
    try {
      caller = await signed(request, ['kiosk']);
    } catch (e) {
      if (e instanceof ForbiddenError) return fail(reply, 403, 'forbidden', e.message);
      throw e;
    }
    const body = parseBody<TabletPairingCodeRequest>(request, validators.code);
    const ttl = (body.ttl_minutes ?? options.pairingTtlMinutes ?? 10) * 60_000;
    return reply.code(201).send(store.createPairingCode({ label: body.label ?? 'Tablet', createdBy: caller.deviceId, ttlMs: ttl }));
  });

  app.post('/v1/tablets/:id/revoke', async (request, reply) => {
    try {
      await signed(request, ['kiosk']);
    } catch (e) {
      if (e instanceof ForbiddenError) return fail(reply, 403, 'forbidden', e.message);
      throw e;
    }
    const id = (request.params as { id: string }).id;
    if (!store.revokeTablet(id)) return fail(reply, 404, 'not_found', 'No such paired tablet (or already revoked).');
    return { tablet_id: id, status: 'revoked' };
  });

  app.get('/v1/seating/counts', async (request, reply) => {
    try {
      await signed(request, ['kiosk']);
    } catch (e) {
      if (e instanceof ForbiddenError) return fail(reply, 403, 'forbidden', e.message);
      throw e;
    }
    return store.counts();
  });

  // --- the clock: commit taps past their undo window, complete dwells, refresh the streams --------------------------
  let lastFingerprint = '';
  let closed = false;
  let lastRevocationCheck = 0;
  const pulse = () => {
    if (closed) return;
    const t = now();
    store.commitDue(t);
    settle(tracker.tick(t));
    // A tablet revoked from the CLI (another process) changes nothing else here: look at the streams' tablets each second.
    if (t - lastRevocationCheck >= 1_000) {
      lastRevocationCheck = t;
      for (const s of streams) {
        if (store.tabletStatus(s.tabletId) === 'ok') continue;
        s.reply.raw.end(`event: unauthorized\ndata: ${JSON.stringify({ error: 'tablet_revoked' })}\n\n`);
        streams.delete(s);
      }
    }
    const fp = store.fingerprint();
    if (fp === lastFingerprint || streams.size === 0) {
      lastFingerprint = fp;
      return;
    }
    lastFingerprint = fp;
    for (const s of streams) send(s, store.board(s.tables));
  };
  // A change made by a request shows on every stream at once rather than at the next tick.
  const wake = () => {
    if (!closed) setImmediate(pulse);
  };
  const timer = setInterval(pulse, options.tickMs ?? 250);
  timer.unref();
  const keepAlive = setInterval(() => {
    for (const s of streams) s.reply.raw.write(': keep-alive\n\n');
  }, 5_000);
  keepAlive.unref();
  app.addHook('preClose', async () => {
    closed = true;
    clearInterval(timer);
    clearInterval(keepAlive);
    for (const s of streams) s.reply.raw.end();
    streams.clear();
  });
  return { store, wake };
}

class ForbiddenError extends Error {}
