// Which parts of `GET /v1/sync` each kind of device may read (least privilege per key): a beacon gateway reports which
// tag its table's receiver heard, so it needs the venue's tables and nothing about guests or their credentials.
import type { DeviceKind } from './store';

/** What a sync change is about; a tombstone belongs to the entity it deletes. */
export type SyncEntity = 'occasion' | 'guest' | 'table' | 'floor_plan' | 'checkin';
export const ALL_SYNC_ENTITIES: readonly SyncEntity[] = ['occasion', 'guest', 'table', 'floor_plan', 'checkin'];

/** The server answering the sync: the venue hub (its kiosks and gateways) or the cloud (agents, and kiosks without a hub). */
export type SyncServer = 'agent' | 'cloud';

/** What `kind` may read from `server`'s feed; null: no sync at all (403 `forbidden`). */
export function syncScopeOf(server: SyncServer, kind: DeviceKind): readonly SyncEntity[] | null {
  switch (kind) {
    case 'kiosk':
      // A door decides alone from its own copy: every guest, credential, table, plan and the other doors' check-ins.
      return ALL_SYNC_ENTITIES;
    case 'agent':
      // The hub copies the venue's list from the cloud; no hub pulls from another hub.
      return server === 'cloud' ? ALL_SYNC_ENTITIES : null;
    case 'gateway':
      // Sightings name a table id; tag-to-guest assignments stay on the hub, which resolves them (unknown tags are
      // counted and dropped there). Gateways pair with the hub only, so the cloud serves them nothing.
      return server === 'agent' ? ['table'] : null;
    default: {
      const never: never = kind;
      return never;
    }
  }
}
