// The measured part of `npm run bench:checkin` (bench/checkin.ts bundles it and runs it in plain Node, as a kiosk runs
// bundled code): 100,000 guests in a real SQLite file; full check-ins (normalise + lookup + decide + durable write with
// synchronous=FULL) and staff name searches, against a baseline measured in the same run on the same file system: a
// bare single-row insert transaction with synchronous=FULL. Prints one JSON line.
import Database from 'better-sqlite3';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { LIMITS, type SyncChange } from '../core/contract/contract';
import { nameTokens } from '../core/checkin/search-text';
import { CheckinService } from '../kiosk/checkin-service';
import { openKioskStore } from '../kiosk/kiosk-store';
import { guestChange, occasionChange, page, tableChange } from '../tests/fixtures/sync-fixtures';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: 'data/bench-checkin' },
    guests: { type: 'string', default: '100000' },
    checkins: { type: 'string', default: '5000' },
    searches: { type: 'string', default: '3000' },
  },
});
const GUESTS = Number(values.guests);
const CHECKINS = Math.min(Number(values.checkins), GUESTS);
const SEARCHES = Number(values.searches);
const WARMUP = 200;
const dir = resolve(values.dir ?? 'data/bench-checkin');

const FIRST = ['José', 'Ana', 'María', 'João', 'Zoë', 'Łukasz', 'Sofía', 'Chloé', 'Noah', 'Liam', 'Emma', 'Olivia', 'Mateo', 'Lucía', 'Søren', 'Björn', 'Inés', 'François', 'Małgorzata', 'Hélène', 'Andrés', 'Mía', 'Renée', 'Raphaël', 'Ángel', 'Mohammed', 'Aiko', 'Yusuf', 'Priya', 'Chen', 'Olga', 'Tomás', 'Nuño', 'Gaël', 'Ingrid', 'Dário', 'Leïla', 'Šárka', 'Zoltán', 'Ayşe'];
const LAST = ['Núñez', 'Pérez', 'García', 'Müller', 'Dubois', 'Silva', 'Santos', 'Kowalski', 'Johansson', 'Øster', 'Ibáñez', 'Schäfer', 'Côté', 'Nguyễn', 'Yılmaz', 'Fernández', 'López', 'Martín', 'Gómez', 'Rossi', 'Bianchi', 'Novák', 'Dvořák', "O'Brien", 'Smith', 'Jones', 'Brown', 'Taylor', 'Wilson', 'Andersen', 'Larsen', 'Peña', 'Sánchez', 'Romero', 'Álvarez', 'Torres', 'Ramírez', 'Ferreira', 'Costa', 'Björk'];

// A small deterministic PRNG, so every run uses the same guest list and the same scan order.
let seed = 0x5eed;
function rand(): number {
  seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
  return seed / 0x80000000;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

function uid(i: number): string {
  return ['04', ...[0, 8, 16, 24].map((s) => ((i >> s) & 0xff).toString(16).padStart(2, '0')), 'A1', '80'].join('').toUpperCase();
}

function guestName(i: number): string {
  return `${pick(FIRST)} ${i % 9 === 0 ? pick(FIRST) + ' ' : ''}${pick(LAST)}${i % 4 === 0 ? '-' + pick(LAST) : ''}`;
}

function summary(us: number[]) {
  const s = [...us].sort((a, b) => a - b);
  const at = (q: number) => Math.round((s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? 0) * 10) / 10;
  return { n: s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: Math.round((s[s.length - 1] ?? 0) * 10) / 10 };
}

rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
let rssPeak = 0;
const sampleRss = (phase: string) => {
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  if (process.env.BENCH_DEBUG) console.error(phase, Math.round(process.memoryUsage().rss / 1048576), 'MB', process.memoryUsage());
};
sampleRss('start');

const kioskFile = join(dir, 'kiosk.sqlite');
// Opened by the kiosk runtime's own function: checkpoints in their worker thread, off the scan path, as at a door.
const store = await openKioskStore(kioskFile);
const { db } = store;
const T0 = Date.parse('2026-06-20T19:00:00.000Z');
let now = T0;
const svc = new CheckinService(db, { venue_id: 'ven_bench', device_id: 'kiosk_bench', door_id: 'door_a' }, { clock: () => now });

// Load the guest list the way a kiosk gets it: sync pages.
const names: string[] = [];
const loadStart = performance.now();
let version = 1;
svc.applySyncPage(page([occasionChange(version++), ...Array.from({ length: 1000 }, (_, t) => tableChange(version++, { id: `t${t}`, label: `Table ${t + 1}` }))], 'c0'));
// Pages as large as the contract allows (LIMITS.maxSyncLimit), as a first sync would fetch them.
const PAGE = LIMITS.maxSyncLimit;
for (let start = 0; start < GUESTS; start += PAGE) {
  const changes: SyncChange[] = [];
  for (let i = start; i < Math.min(GUESTS, start + PAGE); i++) {
    const name = guestName(i);
    names.push(name);
    changes.push(
      guestChange(version++, {
        id: `g${i}`,
        name,
        party_size: 1 + (i % 4),
        table_id: `t${i % 1000}`,
        credentials: i % 2 === 0 ? [{ kind: 'barcode', value: `TKT-${String(i).padStart(7, '0')}` }, { kind: 'nfc', value: uid(i) }] : [{ kind: 'barcode', value: `TKT-${String(i).padStart(7, '0')}` }],
      }),
    );
  }
  svc.applySyncPage(page(changes, `c${start}`, start + PAGE < GUESTS));
  if (start % 20_000 === 0) sampleRss(`load ${start}`);
}
sampleRss('loaded');
const loadSeconds = (performance.now() - loadStart) / 1000;
db.pragma('optimize');

// The baseline: a bare single-row insert transaction with synchronous=FULL, in WAL, on the same file system.
const base = new Database(join(dir, 'baseline.sqlite'));
base.pragma('journal_mode = WAL');
base.pragma('synchronous = FULL');
base.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
const baseInsert = base.prepare('INSERT INTO t (v) VALUES (?)');
const baseTx = base.transaction((v: string) => baseInsert.run(v));

// Scan order: distinct guests, so every check-in is a first entry that writes (the path a door mostly sees).
const order = Array.from({ length: GUESTS }, (_, i) => i);
for (let i = order.length - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [order[i], order[j]] = [order[j] as number, order[i] as number];
}
const rawScan = (i: number): [string, 'barcode' | 'nfc'] =>
  i % 2 === 0 && i % 10 === 0 ? [(uid(i).match(/../g) ?? []).join(':').toLowerCase(), 'nfc'] : [`TKT-${String(i).padStart(7, '0')}\r\n`, 'barcode'];

const checkinUs: number[] = [];
// Scan to decision (normalise + lookup + decide), before the durable write: the part the disk does not dominate.
const decisionUs: number[] = [];
const baselineUs: number[] = [];
let admitted = 0;
const total = Math.min(GUESTS, CHECKINS + WARMUP);
for (let k = 0; k < total; k++) {
  // Interleaved, so both see the same disk and the same neighbours on this shared machine.
  const b0 = performance.now();
  baseTx(`row ${k} ${'x'.repeat(64)}`);
  const b1 = performance.now();
  const [raw, kind] = rawScan(order[k] as number);
  now += 50;
  const c0 = performance.now();
  const r = svc.scan(raw, { kind });
  const c1 = performance.now();
  if (r.status === 'ok') admitted++;
  if (k >= WARMUP) {
    baselineUs.push((b1 - b0) * 1000);
    checkinUs.push((c1 - c0) * 1000);
    decisionUs.push((r.stages.parse_ms + r.stages.lookup_ms) * 1000);
  }
}
sampleRss('checkins');

// Staff search: 2–5 letters of a first or last name, typed with or without accents, in any case.
const searchUs: number[] = [];
let hits = 0;
for (let k = 0; k < SEARCHES + WARMUP; k++) {
  const name = names[Math.floor(rand() * names.length)] as string;
  const words = name.split(/[\s-]+/);
  const word = (rand() < 0.5 ? words[0] : words[words.length - 1]) as string;
  const len = 2 + Math.floor(rand() * 4);
  let q = rand() < 0.5 ? nameTokens(word)[0]?.slice(0, len) ?? word : word.slice(0, len);
  if (rand() < 0.3) q = q.toUpperCase();
  const s0 = performance.now();
  const found = svc.search(q);
  const s1 = performance.now();
  if (found.length > 0) hits++;
  if (k >= WARMUP) searchUs.push((s1 - s0) * 1000);
}
sampleRss('searches');

const checkin = summary(checkinUs);
const search = summary(searchUs);
const baseline = summary(baselineUs);
const rssMb = Math.round((rssPeak / 1024 / 1024) * 10) / 10;
// The measured loops are synchronous, so the checkpointer's reports queue up: let them in before reading the count.
await new Promise((r) => setTimeout(r, 50));
const result = {
  bench: 'checkin',
  guests: GUESTS,
  dir,
  load_s: Math.round(loadSeconds * 100) / 100,
  checkin_us: checkin,
  decision_us: summary(decisionUs),
  search_us: search,
  baseline_insert_us: baseline,
  checkin_p50_over_baseline_p50: Math.round((checkin.p50 / baseline.p50) * 100) / 100,
  rss_mb: rssMb,
  // The kiosk file was opened by openKioskStore, as kiosk/runtime.ts opens it: checkpointer and all.
  runtime_store: store.checkpointer !== null,
  checkpoints: store.checkpointer?.checkpoints() ?? 0,
  admitted_ratio: Math.round((admitted / total) * 1000) / 1000,
  search_hit_ratio: Math.round((hits / (SEARCHES + WARMUP)) * 1000) / 1000,
  goals: {
    checkin_p99_le_1ms: checkin.p99 <= 1000,
    checkin_p50_le_1_5x_baseline: checkin.p50 <= 1.5 * baseline.p50,
    search_p99_le_5ms: search.p99 <= 5000,
    rss_le_150mb: rssMb <= 150,
  },
};
await store.close();
base.close();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify(result));
