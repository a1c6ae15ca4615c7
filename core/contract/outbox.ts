// The outbox as the push client sees it (kiosk → agent and agent → cloud use the same client). Storage implements it;
// the client drives it. Synchronous because both stores are SQLite through better-sqlite3.
import type { RelayedEvent, SeatPilotEvent } from './contract';

export interface OutboxItem {
  /** Local: names the stored event to the store that returned it (not an order; `pending` returns items in order). */
  id: number;
  /** A relay's outbox also holds events of types it does not know, forwarded as they came (RelayedEvent). */
  event: SeatPilotEvent | RelayedEvent;
  /** Send attempts so far (see `recordAttempt`). */
  attempts: number;
  created_at: string;
}

export interface Outbox {
  /** The oldest unsent events, in the order they were written, at most `limit`. */
  pending(limit: number): OutboxItem[];
  /** The receiver acknowledged these (accepted or duplicate): never offered again. */
  markSent(ids: readonly number[]): void;
  /** The receiver rejected this one for good: kept for inspection with the reason, never offered again. */
  markDead(id: number, reason: string): void;
  /** A send of these failed in a way worth retrying (network, 5xx, 429): counts the attempt, keeps the last error. */
  recordAttempt(ids: readonly number[], error: string): void;
  /** How many events wait to be sent. */
  depth(): number;
  /** Age in seconds of the oldest unsent event, 0 when none waits. */
  oldestUnsentSeconds(nowMs?: number): number;
}
