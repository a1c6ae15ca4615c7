// The one pull client for both hops: pages `GET /v1/sync` from its saved cursor and applies each page in one
// transaction together with the new cursor, so a crash resumes from the last applied page.
import { checkSyncResponse } from '../core/validate';
import type { SyncResponse } from '../core/contract';
import { errorCodeOf, type SignedHttp } from './http-client';

export interface SyncSink {
  /** The cursor after the last applied page (undefined before the first). */
  cursor(): string | undefined;
  /** Applies the page and stores `page.cursor`, atomically. */
  apply(page: SyncResponse): void;
}

export interface PullReport {
  pages: number;
  changes: number;
  error?: string;
}

export interface PullStatus {
  lastSuccessAt: number | null;
  lastError: string | null;
  errorsTotal: number;
  changesTotal: number;
}

export class PullClient {
  readonly status: PullStatus = { lastSuccessAt: null, lastError: null, errorsTotal: 0, changesTotal: 0 };
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PullReport> | null = null;
  private stopped = false;

  constructor(
    private readonly http: SignedHttp,
    private readonly sink: SyncSink,
    private readonly opts: { limit?: number; intervalMs?: number; maxPages?: number; now?: () => number; onProgress?: (p: { pages: number; changes: number }) => void; onError?: (m: string) => void } = {},
  ) {}

  start(): void {
    this.stopped = false;
    const tick = async () => {
      await this.pull();
      if (!this.stopped) {
        this.timer = setTimeout(() => void tick(), this.opts.intervalMs ?? 2_000);
        this.timer.unref?.();
      }
    };
    void tick();
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
    for (let i = 0; i < (this.opts.maxPages ?? 100_000) && !this.stopped; i++) {
      const cursor = this.sink.cursor();
      const path = `/v1/sync?${cursor ? `cursor=${encodeURIComponent(cursor)}&` : ''}limit=${limit}`;
      let res;
      try {
        res = await this.http.request('GET', path);
      } catch (e) {
        return this.failed(report, `upstream unreachable: ${(e as Error).message}`);
      }
      if (res.status !== 200) return this.failed(report, `upstream answered ${res.status}${errorCodeOf(res.body) ? ` ${errorCodeOf(res.body)}` : ''}`);
      const checked = checkSyncResponse(res.body);
      if (!checked.ok) return this.failed(report, `upstream sent a malformed sync page: ${checked.detail}`);
      this.sink.apply(checked.page);
      report.pages++;
      report.changes += checked.page.changes.length;
      this.status.changesTotal += checked.page.changes.length;
      this.opts.onProgress?.({ pages: report.pages, changes: report.changes });
      if (!checked.page.has_more) break;
    }
    this.status.lastSuccessAt = (this.opts.now ?? Date.now)();
    this.status.lastError = null;
    return report;
  }

  private failed(report: PullReport, message: string): PullReport {
    this.status.lastError = message;
    this.status.errorsTotal++;
    this.opts.onError?.(message);
    return { ...report, error: message };
  }
}
