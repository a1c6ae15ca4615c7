// The bench's switch for the hub audit (bench:desk only): the same AgentStore ingest with HubAudit.appendEvents as
// shipped (timed from inside the ingest's own transaction) or turned into a no-op on this one instance, so "with" and
// "without" run the same code on the same file, sample by sample. Nothing in edge-agent/ is changed.
import { performance } from 'node:perf_hooks';
import type { HubAudit } from '../edge-agent/audit-log';

export interface AuditSwitch {
  /** The shipped append, timed: `appendMs` sums the time spent inside it since the last `reset`. */
  on(): void;
  /** No audit entry at all (the check-in's ingest without it). */
  off(): void;
  /** Back to the class's own method. */
  restore(): void;
  reset(): void;
  readonly appendMs: number;
}

export function auditSwitch(audit: HubAudit): AuditSwitch {
  const shipped = audit.appendEvents.bind(audit);
  let spent = 0;
  const timed: HubAudit['appendEvents'] = (events) => {
    const t0 = performance.now();
    try {
      shipped(events);
    } finally {
      spent += performance.now() - t0;
    }
  };
  const skip: HubAudit['appendEvents'] = () => undefined;
  const own = audit as { appendEvents: HubAudit['appendEvents'] };
  return {
    on: () => (own.appendEvents = timed),
    off: () => (own.appendEvents = skip),
    restore: () => void delete (own as Partial<typeof own>).appendEvents,
    reset: () => (spent = 0),
    get appendMs() {
      return spent;
    },
  };
}
