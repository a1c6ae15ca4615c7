// The tablets' and beacons' side of the agent's SQLite as one object for the routes, the CLI and the demo: pairing and
// tokens (tablet-tokens.ts), arrivals and undo (arrivals.ts), beacon tags and positions (beacon-tags.ts), and the boards
// and counts the tablets and the kiosks' staff mode show (board.ts).
import type { Database as SqliteDatabase } from 'better-sqlite3';
import type { SeatPilotEvent } from '../../core/contract/contract';
import type { Board, SeatingCounts, StaffRole, TabletPairingCode, TabletPairResponse } from '../../core/contract/staff';
import type { SqliteOutbox } from '../../venue-store/outbox';
import { Arrivals, type TapOutcome, type UndoOutcome } from './arrivals';
import { BeaconTags, type BeaconSettled } from './beacon-tags';
import { TabletBoard } from './board';
import { HubAudit } from '../audit-log';
import { TabletTokens, type TabletRow, type TokenCheck } from './tablet-tokens';

export interface TabletStoreOptions {
  venueId: string;
  /** The agent's own device id: seat.arrived events are the agent's (tablets are not devices of the cloud). */
  deviceId: string;
  /** How long a tablet tap can be undone before it becomes seat.arrived. */
  undoMs: number;
  clock?: () => number;
  /** Called with each seat.arrived written to the outbox (metrics, push kick). */
  onCommitted?: (event: SeatPilotEvent) => void;
}

export class TabletStore {
  private readonly tokens: TabletTokens;
  private readonly arrivals: Arrivals;
  private readonly beaconTags: BeaconTags;
  private readonly boards: TabletBoard;
  /** Bumped by every change made here; with the checkins and feed high-water marks it tells streams to refresh. */
  private version = 0;

  constructor(
    readonly db: SqliteDatabase,
    outbox: SqliteOutbox,
    opts: TabletStoreOptions,
  ) {
    const clock = opts.clock ?? Date.now;
    const onChange = () => {
      this.version++;
    };
    // Pairing codes, pairings and revocations are entries of the chain the cloud checks: carried up as the rest are
    // (from audit_log, at push time: edge-agent/hub-outbox.ts).
    this.tokens = new TabletTokens(db, clock, new HubAudit(db, opts.venueId, clock));
    this.arrivals = new Arrivals(db, outbox, { venueId: opts.venueId, deviceId: opts.deviceId, undoMs: opts.undoMs, clock, onCommitted: opts.onCommitted, onChange });
    this.beaconTags = new BeaconTags(db, this.arrivals, { clock, onChange });
    this.boards = new TabletBoard(db, this.arrivals, { clock, version: () => this.version });
  }

  createPairingCode(opts: { label: string; createdBy: string; ttlMs: number; role?: StaffRole; host?: boolean }): TabletPairingCode {
    return this.tokens.createPairingCode(opts);
  }

  redeemPairingCode(code: string, label?: string): TabletPairResponse | null {
    return this.tokens.redeemPairingCode(code, label);
  }

  checkToken(token: string): TokenCheck {
    return this.tokens.checkToken(token);
  }

  touchTablet(id: string): void {
    this.tokens.touchTablet(id);
  }

  tabletStatus(id: string): 'ok' | 'revoked' | 'unknown' {
    return this.tokens.tabletStatus(id);
  }

  revokeTablet(id: string, by?: string): boolean {
    return this.tokens.revokeTablet(id, by);
  }

  listTablets(): TabletRow[] {
    return this.tokens.listTablets();
  }

  tap(input: { key: string; guestId: string; tableId: string | null; tappedAtMs: number | null; tabletId: string }): TapOutcome {
    return this.arrivals.tap(input);
  }

  undo(key: string, byTablet?: string): UndoOutcome {
    return this.arrivals.undo(key, byTablet);
  }

  commitDue(nowMs?: number): SeatPilotEvent[] {
    return this.arrivals.commitDue(nowMs);
  }

  beaconSettled(input: { tag: string; tableId: string; atMs: number; gatewayDevice: string }): BeaconSettled {
    return this.beaconTags.settled(input);
  }

  assignTag(tag: string, guestId: string): 'assigned' | 'unknown_guest' {
    return this.beaconTags.assignTag(tag, guestId);
  }

  tagAssigned(tag: string): boolean {
    return this.beaconTags.tagAssigned(tag);
  }

  unassignTag(tag: string): boolean {
    return this.beaconTags.unassignTag(tag);
  }

  fingerprint(): string {
    return this.boards.fingerprint();
  }

  tables(): Array<{ id: string; label: string }> {
    return this.boards.tables();
  }

  tableExists(id: string): boolean {
    return this.boards.tableExists(id);
  }

  counts(): SeatingCounts {
    return this.boards.counts();
  }

  board(tableIds: string[]): Board {
    return this.boards.board(tableIds);
  }
}
