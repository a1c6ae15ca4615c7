// Faults of the background loops (push, pull, heartbeat, checkpointer, detector, refresher, partition maker), counted
// by kind and logged at most once a minute per kind, so a venue with its internet down for hours writes a few lines,
// not one per retry. A loop never dies of an error: `guard` runs one round and hands any error to the log.

export interface FaultLogOptions {
  /** Where a line goes (stderr, a fastify logger, a test's array). */
  write: (line: string) => void;
  /** At most one line per kind in this window; the line says how many were left out. */
  everyMs?: number;
  now?: () => number;
}

interface KindState {
  count: number;
  lastLoggedAt: number;
  suppressed: number;
}

export class FaultLog {
  private readonly kinds = new Map<string, KindState>();
  private readonly everyMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: FaultLogOptions) {
    this.everyMs = opts.everyMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** Counts a fault of `kind` and logs it unless one of the same kind was logged within the window. */
  report(kind: string, message: string): void {
    const t = this.now();
    let s = this.kinds.get(kind);
    if (!s) {
      s = { count: 0, lastLoggedAt: -Infinity, suppressed: 0 };
      this.kinds.set(kind, s);
    }
    s.count++;
    if (t - s.lastLoggedAt < this.everyMs) {
      s.suppressed++;
      return;
    }
    const more = s.suppressed ? ` (${s.suppressed} more since the last line)` : '';
    s.lastLoggedAt = t;
    s.suppressed = 0;
    try {
      this.opts.write(`${kind}: ${message}${more}`);
    } catch {
      // A log that cannot be written (a closed stderr, a full journal) is no reason to stop the loop.
    }
  }

  /** Faults counted so far, by kind. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.kinds].map(([k, s]) => [k, s.count]));
  }
}

/** Runs one round of a loop; an error (thrown or rejected) is reported under `kind`, never rethrown. */
export async function guard(log: FaultLog | ((kind: string, message: string) => void), kind: string, round: () => unknown): Promise<boolean> {
  try {
    await round();
    return true;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (typeof log === 'function') log(kind, message);
    else log.report(kind, message);
    return false;
  }
}

/** The process-wide log of loop faults, on stderr (the journal under systemd). */
export const processFaults = new FaultLog({ write: (line) => process.stderr.write(`seatpilot: ${line}\n`) });
