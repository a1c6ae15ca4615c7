// Whether this box's SQLite file can store check-ins right now, in words staff can act on. Every write path reports
// its failures here (a scan, a sync page, a heartbeat, the push's bookkeeping); while a fault stands, a probe retries
// every few seconds (a one-row commit for a full disk, `quick_check` for a damaged file) and clears it by itself once
// the cause is gone, so freeing space brings a door back without anyone restarting it.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';

export type StoreFaultCode = 'disk_full' | 'damaged' | 'write_failed';

export interface StoreFault {
  code: StoreFaultCode;
  /** What happened and what to do, for staff and the journal. */
  detail: string;
  /** The SQLite error behind it. */
  error: string;
  since_ms: number;
}

/** SQLite's own error codes (better-sqlite3 puts them on `.code`); anything else is not the store's health. */
export function classifyStoreError(e: unknown): StoreFaultCode | null {
  const code = e && typeof e === 'object' && 'code' in e ? String((e as { code: unknown }).code) : '';
  const message = e instanceof Error ? e.message : String(e);
  if (code === 'SQLITE_FULL' || /database or disk is full/i.test(message)) return 'disk_full';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB' || /malformed|not a database/i.test(message)) return 'damaged';
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN')) return 'write_failed';
  // A check-in's own error (CheckinPersistError) wraps the SQLite one.
  if (e instanceof Error && e.cause !== undefined && e.cause !== e) return classifyStoreError(e.cause);
  return null;
}

/** Whose file it is: the words for staff differ (a kiosk turns guests away, a hub's doors keep admitting). */
export type StoreRole = 'kiosk' | 'hub';

const WHAT_TO_DO: Record<StoreRole, Record<StoreFaultCode, string>> = {
  kiosk: {
    disk_full: "the kiosk's disk is full, so check-ins cannot be stored: send guests to another door and free space on this box (seatpilot doctor shows the folder); the door comes back by itself",
    damaged: "the kiosk's database file is damaged: send guests to another door and restart this kiosk (it sets the damaged file aside and reloads the guest list from the hub)",
    write_failed: "the kiosk cannot write its database file (a disk or permission fault): send guests to another door and have venue IT run seatpilot doctor",
  },
  hub: {
    disk_full: "the hub's disk is full, so the doors' events cannot be stored: the doors keep admitting and keep their events; free space on the hub (seatpilot doctor shows the folder); it comes back by itself",
    damaged: "the hub's database file is damaged: the doors keep admitting from their own data; have venue IT run seatpilot doctor and restore or replace the file",
    write_failed: "the hub cannot write its database file (a disk or permission fault): the doors keep admitting; have venue IT run seatpilot doctor",
  },
};

export interface StoreHealthOptions {
  file: string;
  /** Default kiosk. */
  role?: StoreRole;
  now?: () => number;
  /** How often a standing fault is re-probed. */
  probeEveryMs?: number;
  /** Told when the health changes (the screens' status is pushed at once). */
  onChange?: (fault: StoreFault | null) => void;
}

export class StoreHealth {
  private fault: StoreFault | null = null;
  private readonly probeRow: Statement;
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  /** Faults seen since start, by kind (a fault reported again while it stands counts once). */
  readonly faults: Record<StoreFaultCode, number> = { disk_full: 0, damaged: 0, write_failed: 0 };

  constructor(private readonly db: SqliteDatabase, private readonly opts: StoreHealthOptions) {
    this.now = opts.now ?? Date.now;
    this.probeRow = db.prepare('INSERT INTO store_probe (id, probed_ms) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET probed_ms = excluded.probed_ms');
  }

  current(): StoreFault | null {
    return this.fault;
  }

  /** Free bytes where the database lives (null on `:memory:` or when the file system will not say). */
  freeBytes(): number | null {
    if (this.opts.file === ':memory:') return null;
    try {
      const s = statfsSync(dirname(this.opts.file));
      return s.bavail * s.bsize;
    } catch {
      return null;
    }
  }

  /** Records a failed store operation. Returns whether it was a store fault (else the caller's own error). */
  report(e: unknown): boolean {
    const code = classifyStoreError(e);
    if (!code) return false;
    const error = e instanceof Error ? e.message : String(e);
    if (this.fault?.code === code) {
      this.fault.error = error;
    } else {
      this.faults[code]++;
      this.set({ code, detail: WHAT_TO_DO[this.opts.role ?? 'kiosk'][code], error, since_ms: this.now() });
    }
    this.scheduleProbe();
    return true;
  }

  /**
   * Tries the store now: a damaged file must pass `quick_check`, and any fault must then commit the probe row (a full
   * disk that has room again, a file system remounted writable). Clears the fault on success.
   */
  probe(): StoreFault | null {
    if (!this.fault) return null;
    try {
      if (this.fault.code === 'damaged') {
        const rows = this.db.pragma('quick_check(1)', { simple: true });
        if (rows !== 'ok') throw Object.assign(new Error(`quick_check: ${String(rows)}`), { code: 'SQLITE_CORRUPT' });
      }
      this.probeRow.run(this.now());
      this.set(null);
    } catch (e) {
      const code = classifyStoreError(e);
      if (code && this.fault && code !== this.fault.code) this.set({ code, detail: WHAT_TO_DO[this.opts.role ?? 'kiosk'][code], error: (e as Error).message, since_ms: this.now() });
      else if (this.fault) this.fault.error = (e as Error).message;
    }
    return this.fault;
  }

  private scheduleProbe(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.probe()) this.scheduleProbe();
    }, this.opts.probeEveryMs ?? 2_000);
    this.timer.unref?.();
  }

  private set(fault: StoreFault | null): void {
    this.fault = fault;
    try {
      this.opts.onChange?.(fault);
    } catch {
      // A listener's error is no reason to lose the health state.
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
