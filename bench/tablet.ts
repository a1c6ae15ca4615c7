// Tablet board at venue scale: 100,000 guests at 10,000 tables, half of them checked in, on a real agent (SQLite file,
// HTTP on 127.0.0.1). Measures (1) a door check-in reaching a table's open stream: signed POST /v1/events answered →
// the board event showing the guest on the way; (2) the venue-wide counts and one table's board; (3) a tablet tap.
// Baseline in the same run: the POST /v1/events round trip alone, and a full scan of guests. Prints one JSON line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { openStore } from '../venue-store/open';
import { guestChange, occasionChange, page, tableChange } from '../tests/fixtures/sync-fixtures';
import { AgentStore } from '../edge-agent/store';
import { buildAgentApp } from '../edge-agent/app';
import type { TabletStore } from '../edge-agent/tablet/store';
import { signRequest } from '../core/signing/signing';
import { batchOf, checkinEvent } from '../tests/signed';

const GUESTS = Number(process.env.BENCH_TABLET_GUESTS ?? 100_000);
const PER_TABLE = 10;
const SAMPLES = Number(process.env.BENCH_TABLET_SAMPLES ?? 40);
const VENUE = 'ven_bench';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round((s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number) * 100) / 100;
};

const dir = mkdtempSync(join(tmpdir(), 'sp-bench-tablet-'));
try {
  const { db } = openStore(join(dir, 'agent.sqlite'));
  const store = new AgentStore(db, VENUE);
  const tables = GUESTS / PER_TABLE;
  const changes = [occasionChange(1), ...Array.from({ length: tables }, (_, i) => tableChange(2 + i, { id: `t${i}`, label: String(i + 1) }))];
  for (let i = 0; i < GUESTS; i++) changes.push(guestChange(2 + tables + i, { id: `g${i}`, name: `Guest ${i}`, table_id: `t${Math.floor(i / PER_TABLE)}` }));
  for (let i = 0; i < changes.length; i += 20_000) store.applyCloudPage(page(changes.slice(i, i + 20_000), `c${i}`));
  // Half the venue already in: every even guest, straight into the venue truth.
  const ins = db.prepare(`INSERT INTO checkins (event_id, source, outcome, guest_id, device_id, door_id, direction, party_size, occurred_at, occurred_ms, table_id)
                          VALUES (?, 'remote', 'admitted', ?, 'k', 'door-a', 'entry', 1, ?, ?, ?)`);
  const now = Date.now();
  db.transaction(() => {
    for (let i = 0; i < GUESTS; i += 2) ins.run(randomUUID(), `g${i}`, new Date(now - 60_000).toISOString(), now - 60_000, `t${Math.floor(i / PER_TABLE)}`);
  })();

  const built = await buildAgentApp({ store, tablet: { venueId: VENUE, deviceId: 'agent', undoSeconds: 0 } });
  const tablets = built.tablets as TabletStore;
  await built.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(built.app.server.address() as { port: number }).port}`;
  const kiosk = { ...store.issueKey('k', 'kiosk'), venue_id: VENUE };
  const { code } = tablets.createPairingCode({ label: 'bench', createdBy: 'bench', ttlMs: 60_000 });
  const token = tablets.redeemPairingCode(code)!.token;

  const post = async (body: string) => {
    const headers = await signRequest({ keyId: kiosk.key_id, secret: kiosk.secret, method: 'POST', pathWithQuery: '/v1/events', body });
    const r = await fetch(`${base}/v1/events`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
    await r.text();
  };

  // (1) check-in → stream. Odd guests are not in yet; each sample checks one in at a table whose stream is open.
  const stream = await fetch(`${base}/tablet/api/stream?tables=t0,t1,t2,t3,t4,t5,t6,t7,t8,t9`, { headers: { authorization: `Bearer ${token}` } });
  const reader = stream.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  const waitForOnTheWay = async (guestId: string) => {
    for (;;) {
      const blocks = buf.split('\n\n');
      buf = blocks.pop() ?? '';
      for (const b of blocks) {
        const data = b.split('\n').find((l) => l.startsWith('data: '));
        if (data && data.includes(`"guest_id":"${guestId}","name"`) && new RegExp(`"guest_id":"${guestId}"[^}]*"status":"on_the_way"`).test(data)) return;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buf += decoder.decode(value, { stream: true });
    }
  };
  const toStream: number[] = [];
  const roundTrip: number[] = [];
  for (let s = 0; s < SAMPLES; s++) {
    const guest = `g${2 * s + 1}`;
    const e = checkinEvent(kiosk, { occurred_at: new Date().toISOString(), payload: { guest_id: guest, table_id: `t${Math.floor((2 * s + 1) / PER_TABLE)}` } });
    const t0 = performance.now();
    await post(batchOf([e]));
    const t1 = performance.now();
    await waitForOnTheWay(guest);
    toStream.push(performance.now() - t0);
    // Baseline: the same signed round trip for an event that changes nothing a board shows.
    const hb = checkinEvent(kiosk, { type: 'device.heartbeat', payload: undefined });
    (hb as { payload: unknown }).payload = { app_version: 'b', outbox_depth: 0, oldest_unsent_s: 0, guest_list_version: 0, scanner_ok: true, clock_skew_ms: 0 };
    const b0 = performance.now();
    await post(batchOf([hb]));
    roundTrip.push(performance.now() - b0);
    void t1;
  }
  await reader.cancel();

  // (2) venue-wide counts (cold: after a change, past the 1 s reuse) and one table's board.
  const countsMs: number[] = [];
  const boardMs: number[] = [];
  for (let i = 0; i < 10; i++) {
    tablets.assignTag(`bench-tag-${i}`, 'g0');
    tablets.beaconSettled({ tag: `bench-tag-${i}`, tableId: 't99', atMs: Date.now(), gatewayDevice: 'gw' }); // a change: counts go stale
    await new Promise((r) => setTimeout(r, 1_050));
    let t0 = performance.now();
    tablets.counts();
    countsMs.push(performance.now() - t0);
    t0 = performance.now();
    tablets.board([`t${i}`]);
    boardMs.push(performance.now() - t0);
  }
  const scan0 = performance.now();
  db.prepare("SELECT count(*) FROM guests WHERE status = 'active' AND name_folded <> ''").pluck().get();
  const scanMs = performance.now() - scan0;

  // (3) a tap: HTTP round trip of POST /tablet/api/arrivals (durable SQLite commit included).
  const tapMs: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    const r = await fetch(`${base}/tablet/api/arrivals`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ key: randomUUID(), guest_id: `g${2 * i + 1000}` }) });
    await r.text();
    tapMs.push(performance.now() - t0);
  }
  await built.app.close();
  db.close();
  console.log(JSON.stringify({
    bench: 'tablet',
    guests: GUESTS,
    tables,
    checked_in: GUESTS / 2 + SAMPLES,
    checkin_to_stream_ms: { p50: pct(toStream, 50), p95: pct(toStream, 95), max: pct(toStream, 100), samples: SAMPLES },
    baseline_signed_post_ms: { p50: pct(roundTrip, 50), p95: pct(roundTrip, 95) },
    counts_cold_ms: { p50: pct(countsMs, 50), max: pct(countsMs, 100) },
    board_one_table_ms: { p50: pct(boardMs, 50), max: pct(boardMs, 100) },
    baseline_guest_scan_ms: Math.round(scanMs * 100) / 100,
    tap_http_ms: { p50: pct(tapMs, 50), p95: pct(tapMs, 95) },
  }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
