// The one push client for both hops (kiosk → agent, agent → cloud): drains an outbox in order, in signed batches.
import { randomUUID } from 'node:crypto';
import { LIMITS } from '../core/contract/contract';
import type { Outbox, OutboxItem } from '../core/contract/outbox';
import { checkIngestResult } from '../core/contract/validate';
import { backoffMs, describeUnexpected, errorCodeOf, type SignedHttp } from './http-client';

export interface PushOptions {
  /** Events per batch, at most 500 (the receiver's limit). */
  batchSize?: number;
  /** Body bytes per batch. */
  maxBatchBytes?: number;
  /** How often to push when nothing asks sooner. */
  intervalMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  now?: () => number;
  /** After each answered batch: for metrics and logs. */
  onBatch?: (r: { sent: number; duplicates: number; dead: { id: number; reason: string }[] }) => void;
  /** After each failed attempt, with the kind of fault (see `PushFaultKind`). */
  onError?: (message: string, kind: PushFaultKind) => void;
}

/**
 * Why an attempt failed. `unexpected_response`: a 200 that is no ingest result (a captive portal's page, a proxy), or
 * one whose `rejected[].index` names no event sent; `local_store`: this box's own database failed (a full disk).
 */
export type PushFaultKind = 'unreachable' | 'unexpected_response' | 'rate_limited' | 'refused' | 'server_error' | 'local_store';

export interface PushStatus {
  state: 'idle' | 'pushing' | 'backing_off' | 'stopped';
  lastSuccessAt: number | null;
  lastError: string | null;
  consecutiveFailures: number;
  sentTotal: number;
  deadTotal: number;
  errorsTotal: number;
  /** When the next attempt is due after a failure (ms since epoch). */
  retryAt: number | null;
  /** Failed attempts by kind, since start. */
  faults: Record<PushFaultKind, number>;
}

export interface DrainReport {
  sent: number;
  dead: number;
  batches: number;
  /** Set when the drain stopped on a failure worth retrying later. */
  error?: string;
  retryAfterMs?: number;
}

const ENVELOPE_OVERHEAD = 160;

export class PushClient {
  private readonly batchSize: number;
  private readonly maxBatchBytes: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<DrainReport> | null = null;
  private again = false;
  /** Shrinks when the receiver says a batch is too large or malformed, to isolate the culprit. */
  private limit: number;
  readonly status: PushStatus = { state: 'idle', lastSuccessAt: null, lastError: null, consecutiveFailures: 0, sentTotal: 0, deadTotal: 0, errorsTotal: 0, retryAt: null,
    faults: { unreachable: 0, unexpected_response: 0, rate_limited: 0, refused: 0, server_error: 0, local_store: 0 } };

  constructor(
    private readonly outbox: Outbox,
    private readonly http: SignedHttp,
    private readonly opts: PushOptions = {},
  ) {
    this.batchSize = Math.min(LIMITS.maxEventsPerBatch, Math.max(1, opts.batchSize ?? LIMITS.maxEventsPerBatch));
    this.maxBatchBytes = opts.maxBatchBytes ?? 512 * 1024;
    this.limit = this.batchSize;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Pushes on a timer and whenever `kick()` is called. */
  start(): void {
    if (this.status.state === 'stopped') this.status.state = 'idle';
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.status.state === 'stopped') return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run();
    }, delayMs);
    this.timer.unref?.();
  }

  /** Push now (after a write), unless backing off after a failure. */
  kick(): void {
    if (this.status.state === 'stopped') return;
    if (this.status.retryAt && this.status.retryAt > this.now()) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    let report: DrainReport;
    try {
      report = await this.drain();
    } catch (e) {
      // drainLoop turns every fault into a report; this is the last net, so the timer can never stop for good.
      report = this.fail('local_store', `push failed: ${(e as Error).message}`, []);
    }
    if (this.status.state === 'stopped') return;
    if (report.error) {
      this.schedule(report.retryAfterMs ?? 1000);
    } else if (this.again) {
      this.again = false;
      this.schedule(0);
    } else {
      this.schedule(this.opts.intervalMs ?? 5_000);
    }
  }

  async stop(): Promise<void> {
    this.status.state = 'stopped';
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** Pushes until the outbox is empty or a failure says to wait. One drain at a time. */
  drain(): Promise<DrainReport> {
    if (!this.running) {
      this.running = this.drainLoop().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  private fail(kind: PushFaultKind, message: string, ids: number[], retryAfterMs?: number): DrainReport & { error: string } {
    this.status.consecutiveFailures++;
    this.status.errorsTotal++;
    this.status.faults[kind]++;
    this.status.lastError = message;
    try {
      if (ids.length) this.outbox.recordAttempt(ids, message);
    } catch {
      // The attempt count is a nicety; a store that cannot write it is reported by the next drain.
    }
    const wait = retryAfterMs ?? backoffMs(this.status.consecutiveFailures - 1, this.opts.backoffBaseMs ?? 500, this.opts.backoffMaxMs ?? 30_000);
    this.status.retryAt = this.now() + wait;
    if (this.status.state !== 'stopped') this.status.state = 'backing_off';
    try {
      this.opts.onError?.(message, kind);
    } catch {
      // A metrics or log callback that throws must not stop the push.
    }
    return { sent: 0, dead: 0, batches: 0, error: message, retryAfterMs: wait };
  }

  /** Takes pending events up to the count and byte limits (always at least one). */
  private nextBatch(): { items: OutboxItem[]; body: string } | null {
    const pending = this.outbox.pending(this.limit);
    if (!pending.length) return null;
    const parts: string[] = [];
    let bytes = ENVELOPE_OVERHEAD;
    const items: OutboxItem[] = [];
    for (const item of pending) {
      const json = JSON.stringify(item.event);
      const size = Buffer.byteLength(json) + 1;
      if (items.length && bytes + size > this.maxBatchBytes) break;
      items.push(item);
      parts.push(json);
      bytes += size;
    }
    const body = `{"batch_id":"${randomUUID()}","sent_at":"${new Date(this.now()).toISOString()}","events":[${parts.join(',')}]}`;
    return { items, body };
  }

  private async drainLoop(): Promise<DrainReport> {
    const total: DrainReport = { sent: 0, dead: 0, batches: 0 };
    try {
      return await this.drainBatches(total);
    } catch (e) {
      // The outbox is this box's own SQLite: a full disk or a damaged file. Nothing was acknowledged that is not marked.
      return { ...total, ...this.fail('local_store', `local store: ${(e as Error).message}`, []) };
    }
  }

  private async drainBatches(total: DrainReport): Promise<DrainReport> {
    let clockRetried = false;
    if (this.status.state !== 'stopped') this.status.state = 'pushing';
    while (this.status.state !== 'stopped') {
      const batch = this.nextBatch();
      if (!batch) break;
      const ids = batch.items.map((i) => i.id);
      let res;
      try {
        res = await this.http.request('POST', '/v1/events', batch.body);
      } catch (e) {
        return { ...total, ...this.fail('unreachable', `upstream unreachable: ${(e as Error).message}`, ids) };
      }
      const code = errorCodeOf(res.body);
      if (res.status === 200) {
        const checked = checkIngestResult(res.body, batch.items.length);
        if (!checked.ok) {
          // Nothing is marked: a 200 that is no ingest result acknowledges nothing. The batch is offered again later.
          return { ...total, ...this.fail('unexpected_response', describeUnexpected(res, this.http.upstream.baseUrl, checked.detail), ids) };
        }
        const result = checked.result;
        const dead = result.rejected.map((r) => ({ id: (batch.items[r.index] as OutboxItem).id, reason: `${r.reason}: ${r.detail}` }));
        for (const d of dead) this.outbox.markDead(d.id, d.reason);
        const deadIds = new Set(dead.map((d) => d.id));
        const sentIds = ids.filter((id) => !deadIds.has(id));
        this.outbox.markSent(sentIds);
        total.sent += sentIds.length;
        total.dead += dead.length;
        total.batches++;
        this.status.sentTotal += sentIds.length;
        this.status.deadTotal += dead.length;
        this.status.consecutiveFailures = 0;
        this.status.lastError = null;
        this.status.retryAt = null;
        this.status.lastSuccessAt = this.now();
        this.limit = Math.min(this.batchSize, this.limit * 2);
        clockRetried = false;
        this.opts.onBatch?.({ sent: sentIds.length, duplicates: result.duplicates, dead });
        continue;
      }
      if (res.status === 401 && code === 'stale_timestamp' && !clockRetried) {
        // The Date header of this very answer has corrected the signing clock: try once more right away.
        clockRetried = true;
        continue;
      }
      if (res.status === 413 || (res.status === 400 && (code === 'bad_envelope' || code === 'bad_json'))) {
        if (batch.items.length > 1) {
          this.limit = Math.max(1, Math.ceil(batch.items.length / 2));
          continue;
        }
        const only = batch.items[0] as OutboxItem;
        const reason = `${code ?? res.status}: ${JSON.stringify(res.body).slice(0, 300)}`;
        this.outbox.markDead(only.id, reason);
        total.dead++;
        this.status.deadTotal++;
        this.opts.onBatch?.({ sent: 0, duplicates: 0, dead: [{ id: only.id, reason }] });
        continue;
      }
      if (res.status === 429 || res.status === 503) {
        const retryAfter = Number(res.headers.get('retry-after'));
        const kind = res.status === 429 ? 'rate_limited' : 'server_error';
        const what = res.status === 429 ? 'upstream rate limit (429)' : `upstream unavailable (503${code ? ` ${code}` : ''})`;
        return { ...total, ...this.fail(kind, what, ids, Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 3600) * 1000 : undefined) };
      }
      if (code === undefined) {
        // Not one of ours: a proxy's or portal's error page. Say what answered, not a bare status.
        return { ...total, ...this.fail('unexpected_response', describeUnexpected(res, this.http.upstream.baseUrl, `status ${res.status}`), ids) };
      }
      return { ...total, ...this.fail(res.status >= 500 ? 'server_error' : 'refused', `upstream answered ${res.status} ${code}`, ids) };
    }
    if (this.status.state === 'pushing') this.status.state = 'idle';
    return total;
  }
}
