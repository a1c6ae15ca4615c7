// Child of the kiosk crash test: checks guests in as fast as it can on the given SQLite file and reports each check-in
// on stdout only after its transaction returned ("<event_id> <status>"). Now and then it also applies a sync page and
// marks a few events sent, so a kill can land inside those transactions too. Runs until killed.
import { writeSync } from 'node:fs';
import { CheckinService } from '../kiosk/checkin-service';
import { startWalCheckpointer } from '../venue-store/checkpointer';
import { openStore } from '../venue-store/open';
import { guestChange, page } from './fixtures/sync-fixtures';

import { CRASH_GUESTS, SYNC_PAGE_GUESTS, SYNC_VERSION_BASE, SYNC_VERSION_STEP } from './kiosk-crash-shared';

function report(line: string): void {
  const buf = Buffer.from(line + '\n');
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(1, buf, off);
    } catch (e) {
      // stdout is a non-blocking pipe: wait for the parent to drain it rather than lose a report.
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}

const file = process.argv[2];
if (!file) throw new Error('usage: kiosk-crash-child FILE');
const { db } = openStore(file);
// Kills also land during checkpoints, as they would on a kiosk.
startWalCheckpointer(file, { intervalMs: 50 });
const svc = new CheckinService(db, { venue_id: 'ven_crash', device_id: 'kiosk_crash', door_id: 'door_a', double_scan_window_ms: 0 });
let syncPage = Math.floor((svc.syncState().version - SYNC_VERSION_BASE) / SYNC_VERSION_STEP) + 1;
if (syncPage < 1) syncPage = 1;
report('ready');
// Work in slices so the event loop (and with it the checkpointer's messages) keeps turning.
let n = 0;
function slice(): void {
  for (const end = n + 200; n < end; n++) step(n);
  setImmediate(slice);
}
function step(n: number): void {
  const raw = n % 7 === 3 ? `NOPE-${n}` : `B-${Math.floor(Math.random() * CRASH_GUESTS)}`;
  const r = svc.scan(raw, { kind: 'barcode', direction: n % 5 === 4 ? 'exit' : 'entry' });
  if (r.event_id !== null) report(`${r.event_id} ${r.status}`);
  if (n % 97 === 50) {
    const base = SYNC_VERSION_BASE + syncPage * SYNC_VERSION_STEP;
    svc.applySyncPage(
      page(
        Array.from({ length: SYNC_PAGE_GUESTS }, (_, j) =>
          guestChange(base + j, { id: `g_${j}`, name: `Guest ${j} Page${syncPage}`, credentials: [{ kind: 'barcode', value: `B-${j}` }] }),
        ),
        `p${syncPage}`,
      ),
    );
    syncPage++;
  }
  if (n % 31 === 7) svc.outbox.markSent(svc.outbox.pending(5).map((i) => i.id));
}
slice();
