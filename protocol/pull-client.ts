// The one pull client for both hops: pages `GET /v1/sync` from its saved cursor and applies each page in one
// transaction together with the new cursor, so a crash resumes from the last applied page.
import { checkSyncResponse, checkSyncResponseV2 } from '../core/contract/validate';
import type { SyncFeature, SyncResponse, SyncResponseV2 } from '../core/contract/contract';
import { backoffMs, describeUnexpected, errorCodeOf, type SignedHttp } from './http-client';

export interface SyncSink<P extends SyncResponse | SyncResponseV2 = SyncResponse> {
  /** The cursor after the last applied page (undefined before the first). */
  cursor(): string | undefined;
  /** Applies the page and stores `page.cursor`, atomically. */
  apply(page: P): void;
}

export interface PullReport {
  pages: number;
  changes: number;
  error?: string;
}

/**
 * Why a pull failed. `unexpected_response`: an answer that is no sync page (a captive portal's HTML, a proxy's error);
 * `local_store`: applying a good page to this box's own database failed (a full disk, a damaged file).
 */
export type PullFaultKind = 'unreachable' | 'unexpected_response' | 'refused' | 'server_error' | 'local_store';

export interface PullStatus {
  lastSuccessAt: number | null;
  lastError: string | null;
  errorsTotal: number;
  changesTotal: number;
  consecutiveFailures: number;
  /** Failed pulls by kind, since start. */
  faults: Record<PullFaultKind, number>;
}

export interface PullOptions {
  /**
   * Sync features this client understands, named in the signed query (`features=…`): with `checkin_reverts` the page
   * is validated as a SyncResponseV2 (its sink must take one); without, as v1, exactly as clients before it.
   */
  features?: readonly SyncFeature[];
  limit?: number;
  intervalMs?: number;
  maxPages?: number;
  /** After failures the next pull waits longer, up to this (default 30 s). */
  backoffMaxMs?: number;
  now?: () => number;
  onProgress?: (p: { pages: number; changes: number }) => void;
  onError?: (message: string, kind: PullFaultKind, error?: unknown) => void;
}

export class PullClient<P extends SyncResponse | SyncResponseV2 = SyncResponse> {
  readonly status: PullStatus = {
    lastSuccessAt: null, lastError: null, errorsTotal: 0, changesTotal: 0, consecutiveFailures: 0,
    faults: { unreachable: 0, unexpected_response: 0, refused: 0, server_error: 0, local_store: 0 },
  };
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PullReport> | null = null;
  private stopped = false;

  constructor(
    private readonly http: SignedHttp,
    private readonly sink: SyncSink<P>,
    private readonly opts: PullOptions = {},
  ) {}

  start(): void {
    this.stopped = false;
    const tick = async () => {
      try {
        await this.pull();
      } catch (e) {
        // pullLoop turns every fault into a report; this net keeps the timer alive whatever happens.
        this.failed({ pages: 0, changes: 0 }, 'local_store', `pull failed: ${(e as Error).message}`, e);
      }
      if (!this.stopped) {
        this.timer = setTimeout(() => void tick(), this.nextDelayMs());
        this.timer.unref?.();
      }
    };
    void tick();
  }

  /** The interval while all is well; after failures, a capped, jittered backoff that starts at the interval. */
  private nextDelayMs(): number {
    const interval = this.opts.intervalMs ?? 2_000;
    if (this.status.consecutiveFailures === 0) return interval;
    return Math.max(interval, backoffMs(this.status.consecutiveFailures - 1, interval, Math.max(interval, this.opts.backoffMaxMs ?? 30_000)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Pulls pages until `has_more` is false (or an error). One pull at a time. */
  pull(): Promise<PullReport> {
    if (!this.running) this.running = this.pullLoop().finally(() => (this.running = null));
    return this.running;
  }

  private async pullLoop(): Promise<PullReport> {
    const report: PullReport = { pages: 0, changes: 0 };
    const limit = this.opts.limit ?? 1000;
    const v2 = this.opts.features?.includes('checkin_reverts') ?? false;
    for (let i = 0; i < (this.opts.maxPages ?? 100_000) && !this.stopped; i++) {
      const cursor = this.sink.cursor();
      const features = this.opts.features?.length ? `&features=${this.opts.features.map(encodeURIComponent).join(',')}` : '';
      const path = `/v1/sync?${cursor ? `cursor=${encodeURIComponent(cursor)}&` : ''}limit=${limit}${features}`;
      let res;
      try {
        res = await this.http.request('GET', path);
      } catch (e) {
        return this.failed(report, 'unreachable', `upstream unreachable: ${(e as Error).message}`);
      }
      const base = this.http.upstream.baseUrl;
      if (res.status !== 200) {
        const code = errorCodeOf(res.body);
        if (code === undefined) return this.failed(report, 'unexpected_response', describeUnexpected(res, base, `status ${res.status}`));
        return this.failed(report, res.status >= 500 ? 'server_error' : 'refused', `upstream answered ${res.status} ${code}`);
      }
      const checked = v2 ? checkSyncResponseV2(res.body) : checkSyncResponse(res.body);
      if (!checked.ok) return this.failed(report, 'unexpected_response', describeUnexpected(res, base, `not a sync page: ${checked.detail}`));
      try {
        this.sink.apply(checked.page as P);
      } catch (e) {
        // The page and its cursor commit together, so nothing was half applied: the same page is asked for again.
        return this.failed(report, 'local_store', `local store: ${(e as Error).message}`, e);
      }
      report.pages++;
      report.changes += checked.page.changes.length;
      this.status.changesTotal += checked.page.changes.length;
      this.opts.onProgress?.({ pages: report.pages, changes: report.changes });
      if (!checked.page.has_more) break;
    }
    this.status.lastSuccessAt = (this.opts.now ?? Date.now)();
    this.status.lastError = null;
    this.status.consecutiveFailures = 0;
    return report;
  }

  private failed(report: PullReport, kind: PullFaultKind, message: string, error?: unknown): PullReport {
    this.status.lastError = message;
    this.status.errorsTotal++;
    this.status.consecutiveFailures++;
    this.status.faults[kind]++;
    try {
      this.opts.onError?.(message, kind, error);
    } catch {
      // A metrics or log callback that throws must not stop the pull.
    }
    return { ...report, error: message };
  }
}
