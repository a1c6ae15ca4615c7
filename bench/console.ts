// The organiser's console at venue scale (issue 18): 20,000 guests in one occasion, the real cloud (buildApp on PGlite
// in a data folder, as the demo runs it, HTTP on 127.0.0.1) and the real console page in Debian's Chromium, signed in
// as a planner. Measures (1) GET /console/api/occasions/:id/guests from Node (time, bytes) and page load → first rows
// painted; (2) keystroke → filtered list painted in the Guests page, over realistic queries (the page's own filter
// and virtual list; bench/console-page.ts only listens); (3) opening a guest (click or Enter on a row → a field of the
// guest page holds the guest's name, painted); (4) importing the same 20,000-row CSV through the console's route
// (session cookie + CSRF, ndjson stream read as the page reads it) and through the page's file input, against the
// CLI's code path, importGuests called exactly as `seatpilot cloud guests import` calls it, in this process on the
// same database; on PGlite, and on the real PostgreSQL as well when TEST_DATABASE_URL is set. Baseline, same run:
// filterGuests over the same rows in Node and the GET /console/api/session round trip. Prints one JSON line.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildApp, type CloudApp } from '../cloud-sync/app';
import { addVenue } from '../cloud-sync/admin';
import { openPglite, type Db } from '../cloud-sync/db';
import { importGuests } from '../cloud-sync/guestlist/import-guests';
import { addOccasion, importTables } from '../cloud-sync/guestlist/manage';
import { filterGuests, searchText } from '../core/console/guest-filter';
import type { GuestImportReport, GuestList, ImportStreamLine } from '../core/console/guests';
import { CSRF_HEADER } from '../core/console/errors';
import { migratePostgres } from '../sql/migrate';
import { consoleTenant, type TestSession } from '../tests/fixtures/console';
import { launchChromium } from '../tests/kiosk-browser';
import { freshDatabase } from '../tests/pg-backends';
import { guestsCsv, tableCount, tablesCsv } from './console-data';
import { PAGE_PROBE, type BenchWindow, type KeySample, type OpenSample } from './console-page';

const GUESTS = Number(process.env.BENCH_CONSOLE_GUESTS ?? 20_000);
const LOADS = Number(process.env.BENCH_CONSOLE_LOADS ?? 5);
const OPENS = Number(process.env.BENCH_CONSOLE_OPENS ?? 10);
const ROUNDS = Number(process.env.BENCH_CONSOLE_IMPORT_ROUNDS ?? 2);
/** Also import through the page's file input (off by default: see pageImport). */
const PAGE_IMPORT = process.env.BENCH_CONSOLE_PAGE_IMPORT === '1';
/** Pause between keystrokes: a fast typist's pace, and room for the page's after-paint effects to settle. */
const KEY_GAP_MS = Number(process.env.BENCH_CONSOLE_KEY_GAP_MS ?? 80);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round((s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number) * 100) / 100;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const stats = (xs: number[]) => ({ p50: pct(xs, 50), p95: pct(xs, 95), max: pct(xs, 100), samples: xs.length });
const r2 = (x: number) => Math.round(x * 100) / 100;
const log = (line: string) => process.stderr.write(`bench console: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Cloud {
  app: CloudApp['app'];
  base: string;
}

async function startCloud(db: Db): Promise<Cloud> {
  const { app } = await buildApp({ db, doubleAdmissionEverySec: 0, assignMetricsEverySec: 0 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` };
}

/** fetch as the signed-in person: the session cookie always, the CSRF token on writes. */
function asPerson(base: string, who: TestSession) {
  return (path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, { ...init, headers: { cookie: who.cookie, ...(init.method && init.method !== 'GET' ? { [CSRF_HEADER]: who.csrf } : {}), ...(init.headers as Record<string, string>) } });
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** A venue of the tenant with the bench's tables and an empty occasion: where one import run goes. */
async function importTarget(db: Db, tenantId: string, label: string) {
  const venue = await addVenue(db, tenantId, `Import ${label}`);
  await importTables(db, venue.id, tablesCsv(GUESTS));
  const occasion = await addOccasion(db, { venueId: venue.id, name: `Import ${label}`, startsAt: '2026-12-31T18:00:00Z', endsAt: '2027-01-01T03:00:00Z' });
  return { venueId: venue.id, occasionId: occasion.id };
}

/** `seatpilot cloud guests import`'s call (cloud-sync/guestlist/cli.ts), progress on stderr as there. */
function cliImport(db: Db, venueId: string, occasionId: string, csv: string): Promise<GuestImportReport> {
  return importGuests(db, { venueId, occasionId, csv, onProgress: (done, total) => log(`cli import ${done}/${total} rows`) });
}

/**
 * The console's route as the page calls it (web/api.ts importGuests): text/csv up, the ndjson stream read to its end.
 * Over a connection of its own (node:http, no agent): the CLI run before it holds this process's event loop for
 * seconds, and a pooled keep-alive socket timed out meanwhile by the server would reset the upload.
 */
function consoleImport(base: string, who: TestSession, occasionId: string, csv: string): Promise<{ report: GuestImportReport; firstLineMs: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}/console/api/occasions/${encodeURIComponent(occasionId)}/guests/import`, {
      method: 'POST',
      agent: false,
      headers: { cookie: who.cookie, [CSRF_HEADER]: who.csrf, 'content-type': 'text/csv', accept: 'application/x-ndjson', 'content-length': Buffer.byteLength(csv) },
    }, (res) => {
      let buffered = '';
      let firstLineMs = -1;
      let report: GuestImportReport | null = null;
      let failure: Error | null = null;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const text = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (!text) continue;
          if (firstLineMs < 0) firstLineMs = performance.now() - t0;
          const line = JSON.parse(text) as ImportStreamLine | { error: string; message: string };
          if ('result' in line) report = line.result;
          else if ('error' in line) failure = new Error(`console import answered ${res.statusCode}: ${line.error} ${line.message}`);
        }
      });
      res.on('error', reject);
      res.on('end', () => {
        if (failure) reject(failure);
        else if (!report) reject(new Error(`the console import (${res.statusCode}) ended without a result: ${buffered.slice(0, 200)}`));
        else resolve({ report, firstLineMs });
      });
    });
    req.on('error', reject);
    req.end(csv);
  });
}

/**
 * The Guests page's import form, as a person uses it: choose the occasion, open the form, pick the file, Start; timed
 * in the page from the submit to the report painted. The page then reloads the list it imported, and the bench waits
 * for that too: off by default, because that reload is the GET of a just-imported occasion (see the report).
 */
async function pageImport(page: Page, venueId: string, occasionId: string, csv: string): Promise<number> {
  await page.evaluate(({ v, o }) => {
    localStorage.setItem('seatpilot.console.venue', v);
    localStorage.setItem('seatpilot.console.occasion', o);
  }, { v: venueId, o: occasionId });
  await page.reload();
  await page.waitForSelector('.import summary', { timeout: 60_000 });
  await page.click('.import summary');
  await page.setInputFiles('#import-file', { name: 'guests.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.click('.import button[type="submit"]', { timeout: 600_000 });
  await page.waitForFunction(() => (window as unknown as BenchWindow).__bench.importDone !== null, undefined, { polling: 500, timeout: 600_000 });
  const { importDone, importRefused } = await page.evaluate(() => (window as unknown as BenchWindow).__bench);
  if (importRefused) throw new Error('the page refused the import');
  await page.waitForSelector('[data-guest]', { timeout: 1_800_000 });
  return importDone as number;
}

async function countGuests(db: Db, occasionId: string): Promise<number> {
  const [r] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM guestlist.guests WHERE occasion_id = $1 AND NOT deleted', [occasionId]);
  return Number(r?.n ?? 0);
}

type ImportKind = 'cli' | 'console_http' | 'console_page';

/** Alternating rounds, each kind into a fresh venue of its own, the very same CSV bytes. */
async function compareImports(db: Db, tenantId: string, base: string, who: TestSession, csv: string, page: Page | null) {
  const kinds: ImportKind[] = page ? ['cli', 'console_http', 'console_page'] : ['cli', 'console_http'];
  const runs: Record<ImportKind, number[]> = { cli: [], console_http: [], console_page: [] };
  const firstLine: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = kinds.map((_, i) => kinds[(i + round) % kinds.length] as ImportKind);
    for (const kind of order) {
      const target = await importTarget(db, tenantId, `${kind} ${round}`);
      log(`${db.backend}: import round ${round + 1}/${ROUNDS}, ${kind}`);
      let ms: number;
      if (kind === 'cli') {
        const r = await timed(() => cliImport(db, target.venueId, target.occasionId, csv));
        if (r.value.created !== GUESTS) throw new Error(`cli import created ${r.value.created}, not ${GUESTS}`);
        ms = r.ms;
      } else if (kind === 'console_http') {
        const r = await timed(() => consoleImport(base, who, target.occasionId, csv));
        if (r.value.report.created !== GUESTS) throw new Error(`console import created ${r.value.report.created}, not ${GUESTS}`);
        firstLine.push(r.value.firstLineMs);
        ms = r.ms;
      } else {
        ms = await pageImport(page as Page, target.venueId, target.occasionId, csv);
      }
      const n = await countGuests(db, target.occasionId);
      if (n !== GUESTS) throw new Error(`${kind} import left ${n} guests, not ${GUESTS}`);
      runs[kind].push(ms / 1000);
    }
  }
  const cli = median(runs.cli);
  const http = median(runs.console_http);
  return {
    backend: db.backend,
    rows: GUESTS,
    csv_bytes: Buffer.byteLength(csv),
    cli_path: 'importGuests in this process, called as `seatpilot cloud guests import` calls it (same database, no RLS scope)',
    cli_s: { median: r2(cli), runs: runs.cli.map(r2) },
    console_http_s: { median: r2(http), runs: runs.console_http.map(r2), first_progress_line_ms: r2(median(firstLine)) },
    ...(page ? { console_page_s: { median: r2(median(runs.console_page)), runs: runs.console_page.map(r2), ratio_to_cli: r2(median(runs.console_page) / cli) } } : {}),
    ratio_console_cli: r2(http / cli),
    goal_ratio: 1.5,
    pass: http / cli <= 1.5,
  };
}

/** Server time and size of the whole guest list, as Node gets it (one cold request, then warm ones). */
async function guestListGet(call: ReturnType<typeof asPerson>, occasionId: string, samples: number) {
  const get = async () => {
    const res = await call(`/console/api/occasions/${encodeURIComponent(occasionId)}/guests`);
    if (!res.ok) throw new Error(`GET guests answered ${res.status}`);
    return { bytes: new Uint8Array(await res.arrayBuffer()), encoding: res.headers.get('content-encoding') };
  };
  const cold = await timed(get);
  const warm: number[] = [];
  for (let i = 0; i < samples; i++) warm.push((await timed(get)).ms);
  return { coldMs: cold.ms, warm, bytes: cold.value.bytes, encoding: cold.value.encoding };
}

// --- the page's measures -------------------------------------------------------------------------------------------

type Step = { type: string } | { press: 'Backspace' } | { clear: true };
/** What a person types into the search box: names letter by letter, a correction, a barcode prefix, a group, clearing. */
const STEPS: Step[] = [
  { type: 'jose' }, { press: 'Backspace' }, { press: 'Backspace' }, { press: 'Backspace' }, { press: 'Backspace' },
  { type: 'garcia mar' }, { clear: true },
  { type: 'nunez' }, { clear: true },
  { type: 'sp-26-0012' }, { clear: true },
  { type: 'familia' }, { clear: true },
  { type: 'maria jose' }, { clear: true },
  { type: 'empresa 3' }, { clear: true },
];

async function waitCount(page: Page, what: 'keys' | 'opens', n: number, timeout = 15_000): Promise<void> {
  await page.waitForFunction(({ what, n }) => (window as unknown as BenchWindow).__bench[what].length >= n, { what, n }, { polling: 'raf', timeout });
}

async function measureKeystrokes(page: Page, list: GuestList) {
  await page.click('#guest-search');
  let value = '';
  let expected = 0;
  const expectations: string[] = [];
  const key = async (k: string, next: string) => {
    expected++;
    value = next;
    expectations.push(value);
    await page.keyboard.press(k);
    await waitCount(page, 'keys', expected);
    await sleep(KEY_GAP_MS);
  };
  for (const step of STEPS) {
    if ('type' in step) for (const ch of step.type) await key(ch === ' ' ? 'Space' : ch, value + ch);
    else if ('press' in step) await key(step.press, value.slice(0, -1));
    else {
      await page.keyboard.press('Control+A');
      await key('Backspace', '');
    }
  }
  const samples = await page.evaluate(() => (window as unknown as BenchWindow).__bench.keys);
  // Each sample must show what the filter gives for its value: otherwise the bench timed the wrong frame.
  const index = list.guests.map(searchText);
  const digits = (s: string) => Number((/\d[\d.,\u00a0\u202f]*/.exec(s)?.[0] ?? '').replace(/\D/g, ''));
  samples.forEach((s: KeySample, i) => {
    if (s.value !== expectations[i]) throw new Error(`keystroke ${i}: the box held "${s.value}", expected "${expectations[i]}"`);
    const want = filterGuests(list.guests, { q: s.value }, index);
    if (digits(s.count) !== want.length || s.first !== (want[0]?.id ?? null)) {
      throw new Error(`keystroke ${i} ("${s.value}"): the painted frame showed "${s.count}" / ${s.first}, the filter gives ${want.length} / ${want[0]?.id}`);
    }
  });
  return samples;
}

async function measureOpens(page: Page, list: GuestList): Promise<{ samples: OpenSample[]; error?: string }> {
  const names = new Map(list.guests.map((g) => [g.id, g.name]));
  const samples: OpenSample[] = [];
  for (let i = 0; i < OPENS; i++) {
    await page.waitForSelector('[data-guest]');
    const ids = await page.$$eval('[data-guest]', (els) => els.map((e) => e.getAttribute('data-guest') as string));
    const k = (i * 3) % Math.max(1, Math.min(ids.length, 12));
    const id = ids[k] as string;
    await page.evaluate((name) => {
      (window as unknown as BenchWindow).__bench.expectOpen = name;
    }, names.get(id) as string);
    if (i % 2 === 0) {
      await page.click(`[data-guest=${JSON.stringify(id)}]`);
    } else {
      await page.focus('[role="grid"]');
      for (let d = 0; d < k; d++) await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
    }
    await waitCount(page, 'opens', i + 1);
    const s = (await page.evaluate(() => (window as unknown as BenchWindow).__bench.opens))[i] as OpenSample;
    if (s.painted === null) return { samples, error: 'the guest page showed no field holding the guest\'s name within 10 s' };
    samples.push(s);
    await page.evaluate(() => history.back());
    await sleep(KEY_GAP_MS);
  }
  return { samples };
}

// --- the run ---------------------------------------------------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'sp-bench-console-'));
const closers: (() => Promise<void>)[] = [];
try {
  log(`PGlite in ${dir}, ${GUESTS} guests at ${tableCount(GUESTS)} tables`);
  const db = await openPglite(join(dir, 'cloud'));
  closers.push(() => db.close());
  await migratePostgres(db);
  const A = await consoleTenant(db, 'Bench');
  const csv = guestsCsv(GUESTS);
  await importTables(db, A.venueId, tablesCsv(GUESTS));
  await importGuests(db, { venueId: A.venueId, occasionId: A.occasionId, csv });
  const cloud = await startCloud(db);
  closers.unshift(() => cloud.app.close());
  const call = asPerson(cloud.base, A.planner);

  // Baselines and the list from the server.
  const session: number[] = [];
  for (let i = 0; i < 30; i++) session.push((await timed(async () => (await call('/console/api/session')).text())).ms);
  const got = await guestListGet(call, A.occasionId, 5);
  const list = JSON.parse(Buffer.from(got.bytes).toString('utf8')) as GuestList;
  if (list.guests.length !== GUESTS) throw new Error(`the list holds ${list.guests.length} guests, not ${GUESTS}`);
  const idx = await timed(async () => list.guests.map(searchText));
  // One guest's detail, as the guest page asks for it: the server's share of opening a guest.
  const detail: number[] = [];
  for (let i = 0; i < 10; i++) {
    const g = list.guests[(i * 997) % list.guests.length] as GuestList['guests'][number];
    detail.push((await timed(async () => (await call(`/console/api/guests/${encodeURIComponent(g.id)}`)).text())).ms);
  }
  const nodeFilter: number[] = [];
  for (const step of STEPS) {
    const texts = 'type' in step ? [...step.type].map((_, i) => step.type.slice(0, i + 1)) : [''];
    for (const q of texts) nodeFilter.push((await timed(async () => filterGuests(list.guests, { q }, idx.value))).ms);
  }

  log('Chromium: loading the Guests page');
  const browser = await launchChromium({ width: 1280, height: 900 });
  closers.unshift(() => browser.close());
  const [cookieName, ...cookieValue] = A.planner.cookie.split('=');
  await browser.context.addCookies([{ name: cookieName as string, value: cookieValue.join('='), domain: '127.0.0.1', path: '/console', httpOnly: true, sameSite: 'Strict' }]);
  await browser.context.addInitScript(PAGE_PROBE);
  const page = browser.page;
  await page.goto(`${cloud.base}/console#/guests`);
  await page.evaluate(({ v, o }) => {
    localStorage.setItem('seatpilot.console.venue', v);
    localStorage.setItem('seatpilot.console.occasion', o);
  }, { v: A.venueId, o: A.occasionId });
  await page.waitForFunction(() => (window as unknown as BenchWindow).__bench.firstRows !== null, undefined, { timeout: 120_000 });

  const loads: number[] = [];
  const fetches: number[] = [];
  let resource = { encodedBodySize: 0, decodedBodySize: 0, transferSize: 0 };
  for (let i = 0; i < LOADS; i++) {
    await page.reload();
    await page.waitForFunction(() => (window as unknown as BenchWindow).__bench.firstRows !== null, undefined, { timeout: 120_000 });
    const m = await page.evaluate(() => {
      const e = performance.getEntriesByType('resource').find((r) => /\/console\/api\/occasions\/[^/]+\/guests$/.test(r.name)) as PerformanceResourceTiming | undefined;
      return { painted: (window as unknown as BenchWindow).__bench.firstRows!.painted, fetch: e ? e.responseEnd - e.startTime : -1, encodedBodySize: e?.encodedBodySize ?? 0, decodedBodySize: e?.decodedBodySize ?? 0, transferSize: e?.transferSize ?? 0 };
    });
    loads.push(m.painted);
    fetches.push(m.fetch);
    resource = { encodedBodySize: m.encodedBodySize, decodedBodySize: m.decodedBodySize, transferSize: m.transferSize };
  }

  log('Chromium: typing into the search box');
  // Warm-up (JIT, first layout of a filtered grid), then the measured keys.
  await page.click('#guest-search');
  await page.keyboard.type('ana');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await sleep(300);
  await page.evaluate(() => {
    (window as unknown as BenchWindow).__bench.keys = [];
  });
  const keys = await measureKeystrokes(page, list);

  log('Chromium: opening guests');
  const opens = await measureOpens(page, list);

  const imports = [];
  log('PGlite: imports');
  imports.push(await compareImports(db, A.tenantId, cloud.base, A.planner, csv, PAGE_IMPORT ? page : null));
  await browser.close();
  closers.shift();

  let postgres: { server_get_ms: ReturnType<typeof stats>; bytes: number } | null = null;
  if (process.env.TEST_DATABASE_URL) {
    log('PostgreSQL: imports');
    const t = await freshDatabase('postgres');
    try {
      const B = await consoleTenant(t.db, 'Bench');
      await importTables(t.db, B.venueId, tablesCsv(GUESTS));
      await importGuests(t.db, { venueId: B.venueId, occasionId: B.occasionId, csv });
      const pgCloud = await startCloud(t.db);
      try {
        const pgCall = asPerson(pgCloud.base, B.planner);
        const pgGet = await guestListGet(pgCall, B.occasionId, 5);
        postgres = { server_get_ms: stats(pgGet.warm.map(r2)), bytes: pgGet.bytes.byteLength };
        imports.push(await compareImports(t.db, B.tenantId, pgCloud.base, B.planner, csv, null));
      } finally {
        await pgCloud.app.close();
      }
    } finally {
      await t.drop();
    }
  }

  const keyPainted = keys.map((k) => k.painted);
  const keyStats = stats(keyPainted.map(r2));
  console.log(JSON.stringify({
    bench: 'console',
    browser: 'chromium (headless, Debian)',
    guests: GUESTS,
    tables: tableCount(GUESTS),
    cores: cpus().length,
    guest_list: {
      server_get_ms: { cold: r2(got.coldMs), ...stats(got.warm.map(r2)) },
      bytes: got.bytes.byteLength,
      content_encoding: got.encoding ?? 'identity',
      page_load_to_rows_painted_ms: stats(loads.map(r2)),
      page_fetch_ms: stats(fetches.map(r2)),
      page_resource_bytes: resource,
      ...(postgres ? { postgres } : {}),
    },
    filter_keystroke_to_painted_ms: { ...keyStats, goal_p95_ms: 50, pass: keyStats.p95 <= 50 },
    filter_keystroke_to_frame_ms: stats(keys.map((k) => r2(k.frame))),
    filter_slowest: [...keys].sort((a, b) => b.painted - a.painted).slice(0, 5).map((k) => ({ q: k.value, shown: k.count, ms: r2(k.painted) })),
    filter_queries: [...new Set(STEPS.flatMap((s) => ('type' in s ? [s.type] : [])))],
    open_guest_ms: opens.error ? { error: opens.error, samples: opens.samples.length } : { ...stats(opens.samples.map((s) => r2(s.painted as number))), click_and_enter: true },
    import: imports,
    baseline: {
      node_filter_guests_ms: stats(nodeFilter.map(r2)),
      node_search_index_ms: r2(idx.ms),
      session_get_ms: stats(session.map(r2)),
      guest_detail_get_ms: stats(detail.map(r2)),
    },
    load_avg_1m: r2(loadavg()[0] as number),
  }));
} finally {
  for (const close of closers) await close().catch((e: unknown) => log(`cleanup: ${(e as Error).message}`));
  rmSync(dir, { recursive: true, force: true });
}
