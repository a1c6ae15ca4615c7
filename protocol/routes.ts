// The `/v1/*` routes shared by the edge agent and the cloud: signed ingest and sync, over whichever store is passed in.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LIMITS, SYNC_FEATURES, type IngestResult, type SyncFeature } from '../core/contract/contract';
import { checkBatch } from '../core/contract/validate';
import { authenticate } from './auth';
import { WireError } from './errors';
import { classifyBatch, foreignDeviceIds } from './ingest';
import type { ServerMetrics } from './metrics';
import { RateLimiter, type RateLimitOptions } from './rate-limit';
import type { Caller, DeviceKind, IngestStore, RelayingStore, SyncStore } from './store';
import type { SyncEntity } from './sync-scope';

interface ProtocolDepsBase {
  sync?: SyncStore;
  /** What each kind of key may read from `sync` (protocol/sync-scope.ts); absent: nobody may sync. */
  syncScope?: (kind: DeviceKind) => readonly SyncEntity[] | null;
  metrics: ServerMetrics;
  /** The receiver's clock in ms; tests move it. */
  now?: () => number;
  rateLimit?: RateLimitOptions;
  /** Called after a batch is stored (the agent relays and fans out from here). */
  onStored?: (caller: Caller, result: IngestResult) => void;
}

/**
 * `unknownTypes` (protocol/ingest.ts): a relay (the hub) keeps and forwards events of types it does not know, and must
 * have a store that queues them; the final receiver (the cloud) dead-letters them as `unknown_type`.
 */
export type ProtocolDeps = ProtocolDepsBase & ({ unknownTypes: 'reject'; store: IngestStore } | { unknownTypes: 'relay'; store: RelayingStore });

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perSecond: 200, burst: 400 };

export function registerProtocolRoutes(app: FastifyInstance, deps: ProtocolDeps): void {
  const now = deps.now ?? Date.now;
  const limiter = new RateLimiter(deps.rateLimit ?? DEFAULT_RATE_LIMIT);

  // Keep the raw bytes: the signature covers them, and JSON is parsed only once the caller is known.
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: LIMITS.maxBodyBytes }, (_req, body, done) => done(null, body));

  const authed = async (request: FastifyRequest): Promise<Caller> => {
    const body = Buffer.isBuffer(request.body) ? request.body : undefined;
    const caller = await authenticate(deps.store, { method: request.method, url: request.url, headers: request.headers, body }, now());
    const wait = limiter.take(caller.keyId, now());
    if (wait > 0) throw new WireError(429, 'rate_limited', `too many requests for this key; retry in ${wait} s`, { 'retry-after': String(wait) });
    request.caller = caller;
    return caller;
  };

  app.post('/v1/events', async (request) => {
    if (!Buffer.isBuffer(request.body) || !/^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '')) {
      throw new WireError(415, 'unsupported_media_type', 'send the body as application/json');
    }
    const caller = await authed(request);
    let parsed: unknown;
    try {
      parsed = JSON.parse((request.body as Buffer).toString('utf8'));
    } catch {
      throw new WireError(400, 'bad_json', 'the body is not valid JSON');
    }
    const envelope = checkBatch(parsed);
    if (!envelope.ok) throw new WireError(400, 'bad_envelope', envelope.detail);
    const { batch } = envelope;
    const foreign = foreignDeviceIds(caller, batch.events);
    const relayable = foreign.length ? await deps.store.devicesInVenue(caller.tenantId, caller.venueId, foreign) : new Set<string>();
    const sorted = classifyBatch(caller, batch.events, relayable, deps.unknownTypes);
    const stored = deps.unknownTypes === 'relay'
      ? await deps.store.storeBatch(caller, batch.batch_id, sorted.accepted, sorted.rejected, sorted.relayed)
      : await deps.store.storeBatch(caller, batch.batch_id, sorted.accepted, sorted.rejected);
    const result: IngestResult = {
      accepted: stored.inserted.length,
      duplicates: sorted.accepted.length + sorted.relayed.length - stored.inserted.length + sorted.duplicatesInBatch,
      rejected: sorted.rejected.map((r) => ({ index: r.index, event_id: r.eventId, reason: r.reason, detail: r.detail })),
    };
    const labels = deps.metrics.perTenant ? { tenant: caller.tenantId } : {};
    // A tenant's accepted series exists from its first batch on, even one with nothing new: rates need both sides.
    deps.metrics.ingestAccepted.inc(labels, result.accepted);
    if (result.duplicates) deps.metrics.ingestDuplicates.inc(labels, result.duplicates);
    for (const r of sorted.rejected) deps.metrics.ingestRejected.inc({ ...labels, reason: r.reason });
    deps.onStored?.(caller, result);
    return result;
  });

  if (deps.sync) {
    const sync = deps.sync;
    app.get('/v1/sync', async (request) => {
      const caller = await authed(request);
      const scope = deps.syncScope?.(caller.deviceKind) ?? null;
      if (scope === null) throw new WireError(403, 'forbidden', `${caller.deviceKind} keys may not sync from this server`);
      const q = request.query as Record<string, unknown>;
      const cursor = typeof q.cursor === 'string' && q.cursor !== '' ? q.cursor : undefined;
      if (cursor !== undefined && cursor.length > 256) throw new WireError(400, 'bad_request', 'cursor is too long');
      let limit = 500;
      if (q.limit !== undefined) {
        limit = Number(q.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.maxSyncLimit) {
          throw new WireError(400, 'bad_request', `limit must be a whole number from 1 to ${LIMITS.maxSyncLimit}`);
        }
      }
      return sync.changesSince(caller, cursor, limit, scope, parseSyncFeatures(q.features));
    });
  }
}

/** `features=a,b` (or the parameter repeated): the names this server knows; others are ignored, for clients newer than it. */
export function parseSyncFeatures(raw: unknown): ReadonlySet<SyncFeature> {
  const parts = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string').join(',');
  if (parts.length > 256) throw new WireError(400, 'bad_request', 'features is too long');
  const known = new Set<string>(SYNC_FEATURES);
  return new Set(parts.split(',').map((f) => f.trim()).filter((f): f is SyncFeature => known.has(f)));
}
