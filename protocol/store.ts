// The storage side of the wire protocol's server routes: one interface, a Postgres/PGlite store (cloud) and a
// SQLite store (edge agent) behind it, so the route code exists once.
import type { EventRejectReason, RelayedEvent, SeatPilotEvent, SyncFeature, SyncResponse, SyncResponseV2 } from '../core/contract/contract';
import type { SyncEntity } from './sync-scope';

export type KeyStatus = 'active' | 'rotated' | 'revoked';
export type DeviceKind = 'kiosk' | 'agent' | 'gateway';

export interface KeyRecord {
  keyId: string;
  secret: string;
  status: KeyStatus;
  /** For a rotated key: when it stops working. */
  expiresAt: Date | null;
  tenantId: string;
  venueId: string;
  deviceId: string;
  deviceKind: DeviceKind;
}

/** Who sent a request, from its key: never from the body. */
export interface Caller {
  keyId: string;
  tenantId: string;
  venueId: string;
  deviceId: string;
  deviceKind: DeviceKind;
}

export interface RejectedEvent {
  index: number;
  eventId: string | null;
  reason: EventRejectReason;
  detail: string;
  /** The event's JSON as it arrived. */
  raw: unknown;
}

export interface StoreBatchResult {
  /** event_ids newly stored. */
  inserted: string[];
}

export interface IngestStore {
  findKey(keyId: string): Promise<KeyRecord | null>;
  /** Records the nonce; false when it was already used for this key within its lifetime. */
  useNonce(keyId: string, nonce: string, expiresAt: Date): Promise<boolean>;
  /** Of `deviceIds`, those registered to this tenant's venue (relayed events keep their kiosk's id). */
  devicesInVenue(tenantId: string, venueId: string, deviceIds: string[]): Promise<Set<string>>;
  /** Stores accepted events (idempotent on tenant + event_id) and rejected ones (dead-letter), in one transaction. */
  storeBatch(caller: Caller, batchId: string, accepted: SeatPilotEvent[], rejected: RejectedEvent[]): Promise<StoreBatchResult>;
  ping(): Promise<void>;
}

/**
 * A store that keeps events of types this build does not know and forwards them (the hub): the only kind of store
 * the routes run with `unknownTypes: 'relay'`, so a relayed event can never be accepted and then dropped.
 */
export interface RelayingStore extends IngestStore {
  readonly relaysUnknownTypes: true;
  /** As IngestStore's, and `relayed` (envelope valid, type unknown here) queued in the same transaction; counted in `inserted`. */
  storeBatch(caller: Caller, batchId: string, accepted: SeatPilotEvent[], rejected: RejectedEvent[], relayed?: readonly RelayedEvent[]): Promise<StoreBatchResult>;
}

export interface SyncStore {
  /**
   * Changes for the caller's venue after `cursor`, in order, at most `limit`; only those about `entities` (a
   * tombstone is about what it deletes) when given, else all. A change kind outside SyncChangeSchema only for a
   * client that named its feature in `features`; without features, exactly the v1 page.
   */
  changesSince(caller: Caller, cursor: string | undefined, limit: number, entities?: readonly SyncEntity[], features?: ReadonlySet<SyncFeature>): Promise<SyncResponse | SyncResponseV2>;
}
