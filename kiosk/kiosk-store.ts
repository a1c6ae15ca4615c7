// The kiosk's policy for its SQLite file, over the venue store's runtime opener.
import { processFaults } from '../node-kit/fault-log';
import { openRuntimeStore, type RuntimeStore, type RuntimeStoreOptions } from '../venue-store/runtime-store';

/**
 * The kiosk's SQLite file as the kiosk runs it (and as bench:checkin measures it): WAL checkpoints in their worker,
 * store health, and a damaged file set aside so the kiosk starts on a fresh one (a dark door helps nobody, and the hub
 * has the guest list).
 */
export function openKioskStore(file: string, opts: Omit<RuntimeStoreOptions, 'rebuildIfDamaged'> = {}): Promise<RuntimeStore> {
  return openRuntimeStore(file, { onFault: (kind: string, message: string) => processFaults.report(kind, message), ...opts, rebuildIfDamaged: true });
}

