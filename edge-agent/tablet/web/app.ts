// The table tablet: pair once, pick tables, watch guests go from "expected" to "on the way" to "arrived", and confirm
// an arrival with one tap (undoable for a few seconds). Plain DOM; the board streams from the hub; taps queue on the
// tablet whenever the hub cannot be reached.
import type { Board, BoardGuest, SeatingCounts, StaffRole, TabletMe } from '../../../core/contract/staff';
import { WORDS, pickLang, type Lang, type Words } from './i18n';
import { newEventId } from '../../../core/contract/event-id';
import { TapQueue, parseSse, type QueuedAction } from './queue';

const LS = { token: 'seatpilot.tablet.token', tables: 'seatpilot.tablet.tables', lang: 'seatpilot.tablet.lang' };

const state = {
  lang: pickLang(localStorage.getItem(LS.lang), navigator.languages ?? [navigator.language]) as Lang,
  token: localStorage.getItem(LS.token),
  tables: JSON.parse(localStorage.getItem(LS.tables) ?? '[]') as string[],
  board: null as Board | null,
  counts: null as SeatingCounts | null,
  online: true,
  /** Hub clock minus tablet clock (ms), learned from each board. */
  offsetMs: 0,
  message: null as string | null,
  pairError: null as string | null,
  picking: false,
  /** The role this tablet was paired with (the hub's /tablet/api/me); null until the hub said. */
  role: null as StaffRole | null,
};
const queue = new TapQueue(localStorage);
const words = (): Words => WORDS[state.lang];
const hubNow = () => Date.now() + state.offsetMs;
// A tap's key becomes its seat.arrived event_id: time-ordered like every event id (getRandomValues works on plain HTTP).
const newKey = newEventId;

// --- DOM helper --------------------------------------------------------------------------------------------------
type Attrs = Record<string, string | number | boolean | ((e: Event) => void) | undefined>;
function h(tag: string, attrs: Attrs = {}, ...children: Array<Node | string | null | false>): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== false) el.append(c);
  return el;
}

// --- talking to the hub ------------------------------------------------------------------------------------------
class Unauthorized extends Error {}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(path, {
    method,
    headers: { ...(state.token ? { authorization: `Bearer ${state.token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    cache: 'no-store',
  });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (res.status === 401 && path !== '/tablet/api/pair') throw new Unauthorized(String(json.error ?? 'unauthorized'));
  return { status: res.status, json };
}

function unpair(): void {
  state.token = null;
  state.role = null;
  localStorage.removeItem(LS.token);
  state.pairError = words().pairAgain;
  stopStream();
  render();
}

function setOnline(online: boolean): void {
  if (state.online === online) return;
  state.online = online;
  render();
}

// --- the live board ----------------------------------------------------------------------------------------------
let streamAbort: AbortController | null = null;
let streamKey = '';

function stopStream(): void {
  streamAbort?.abort();
  streamAbort = null;
  streamKey = '';
}

function ensureStream(): void {
  const key = state.tables.join(',');
  if (!state.token || !key || state.picking) return stopStream();
  if (streamKey === key && streamAbort) return;
  stopStream();
  streamKey = key;
  const ctrl = new AbortController();
  streamAbort = ctrl;
  void runStream(key, ctrl);
}

async function runStream(key: string, ctrl: AbortController): Promise<void> {
  let wait = 500;
  while (!ctrl.signal.aborted) {
    try {
      const res = await fetch(`/tablet/api/stream?tables=${encodeURIComponent(key)}`, {
        headers: { authorization: `Bearer ${state.token}` },
        signal: ctrl.signal,
        cache: 'no-store',
      });
      if (res.status === 401) return unpair();
      if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buf = '';
      let lastByte = Date.now();
      // A hub that vanished without closing the connection sends no keep-alive: give up after 15 s of silence.
      const watchdog = setInterval(() => {
        if (Date.now() - lastByte > 15_000) void reader.cancel();
      }, 2_000);
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          lastByte = Date.now();
          setOnline(true);
          wait = 500;
          buf += decoder.decode(value, { stream: true });
          const parsed = parseSse(buf);
          buf = parsed.rest;
          for (const ev of parsed.events) {
            if (ev.event === 'unauthorized') return unpair();
            if (ev.event === 'board') onBoard(JSON.parse(ev.data) as Board);
          }
        }
      } finally {
        clearInterval(watchdog);
      }
    } catch {
      if (ctrl.signal.aborted) return;
    }
    setOnline(false);
    await new Promise((r) => setTimeout(r, wait));
    wait = Math.min(wait * 2, 3_000);
  }
}

function onBoard(board: Board): void {
  state.board = board;
  state.offsetMs = board.now_ms - Date.now();
  setOnline(true);
  void flush();
  render();
}

/** Who this tablet works as: shown in the header, so staff know what it may do. */
async function loadRole(): Promise<void> {
  try {
    const r = await api('GET', '/tablet/api/me');
    if (r.status !== 200) return;
    const role = (r.json as unknown as TabletMe).role;
    state.role = role === 'supervisor' ? 'supervisor' : 'steward';
    setOnline(true);
  } catch (e) {
    if (e instanceof Unauthorized) return unpair();
    setOnline(false);
    return;
  }
  render();
}

async function loadCounts(): Promise<void> {
  try {
    const r = await api('GET', '/tablet/api/tables');
    state.counts = r.json as unknown as SeatingCounts;
    setOnline(true);
  } catch (e) {
    if (e instanceof Unauthorized) return unpair();
    setOnline(false);
  }
  render();
}

// --- taps and the queue ------------------------------------------------------------------------------------------
let flushing = false;

/** Sends queued taps in order; stops at the first that could not be delivered (the hub is down) and retries later. */
async function flush(): Promise<void> {
  if (flushing || !state.token) return;
  flushing = true;
  try {
    for (const a of queue.all()) {
      let r: { status: number; json: Record<string, unknown> };
      try {
        r = a.kind === 'arrive'
          ? await api('POST', '/tablet/api/arrivals', { key: a.key, guest_id: a.guest_id, table_id: a.table_id, tapped_at: a.tapped_at })
          : await api('DELETE', `/tablet/api/arrivals/${encodeURIComponent(a.key)}`);
      } catch (e) {
        if (e instanceof Unauthorized) return unpair();
        setOnline(false);
        return;
      }
      if (r.status >= 500 || r.status === 429) return;
      // Delivered, or refused for good (already seated, too late to undo): either way it leaves the queue.
      queue.remove(a);
      if (r.json.error === 'undo_window_over') state.message = words().tooLate;
      if (r.json.error === 'not_checked_in') state.message = words().notCheckedIn;
      setOnline(true);
    }
  } finally {
    flushing = false;
    render();
  }
}

function tapArrived(g: BoardGuest): void {
  queue.push({ kind: 'arrive', key: newKey(), guest_id: g.guest_id, table_id: g.table_id, tapped_at: new Date(hubNow()).toISOString() });
  state.message = null;
  render();
  void flush();
}

function tapUndo(key: string, guestId: string): void {
  if (!queue.cancelArrive(key)) queue.push({ kind: 'undo', key, guest_id: guestId });
  render();
  void flush();
}

// --- rendering -----------------------------------------------------------------------------------------------------
type Shown = BoardGuest & { queued: boolean };

/** The board as the hub sent it, with this tablet's unsent taps and undos laid over it. */
function shownGuests(): Shown[] {
  const pending = queue.all();
  const arrive = new Map<string, QueuedAction>();
  const undone = new Set<string>();
  for (const a of pending) {
    if (a.kind === 'arrive') arrive.set(a.guest_id, a);
    else undone.add(a.key);
  }
  return (state.board?.guests ?? []).map((g): Shown => {
    const q = arrive.get(g.guest_id);
    if (g.status !== 'arrived' && q) {
      return { ...g, status: 'arrived', arrived_at: (q as { tapped_at: string }).tapped_at, arrival_source: 'tablet', undo_key: q.key, undo_until_ms: null, queued: true };
    }
    if (g.status === 'arrived' && g.undo_key && undone.has(g.undo_key)) return { ...g, status: 'on_the_way', undo_key: null, queued: true };
    return { ...g, queued: false };
  });
}

function guestRow(g: Shown): HTMLElement {
  const w = words();
  const meta: string[] = [];
  if (g.status === 'on_the_way' && g.checked_in_at) meta.push(w.minutesAgo(Math.floor((hubNow() - Date.parse(g.checked_in_at)) / 60_000)));
  const party = w.party(g.party_size);
  if (party) meta.push(party);
  if (g.status === 'arrived' && g.arrived_at && g.checked_in_at) meta.push(w.walked(Math.max(0, (Date.parse(g.arrived_at) - Date.parse(g.checked_in_at)) / 1000)));
  if (g.arrival_source === 'beacon') meta.push(w.byBeacon);
  if (g.queued) meta.push(w.queued);
  let action: HTMLElement | null = null;
  const undoLeft = g.undo_key ? (g.queued && g.undo_until_ms === null ? 1 : Math.ceil(((g.undo_until_ms ?? 0) - hubNow()) / 1000)) : 0;
  if (g.status === 'on_the_way') {
    action = h('button', { class: 'primary', 'data-action': 'arrive', onclick: () => tapArrived(g) }, w.tapArrived);
  } else if (g.status === 'arrived' && g.undo_key && undoLeft > 0) {
    const key = g.undo_key;
    action = h('button', { class: 'undo', 'data-action': 'undo', onclick: () => tapUndo(key, g.guest_id) }, g.queued && g.undo_until_ms === null ? w.undo : `${w.undo} (${undoLeft})`);
  }
  return h(
    'div',
    { class: 'guest', 'data-guest': g.guest_id, 'data-status': g.status },
    h('div', { class: 'who' },
      h('div', { class: 'name' }, g.name),
      meta.length ? h('div', { class: 'meta' }, meta.join(' · ')) : null,
      g.seen_at ? h('div', { class: 'seen', 'data-seen-at': g.seen_at.table_id }, w.seenAt(g.seen_at.table_label)) : null),
    action,
  );
}

function countBox(label: string, n: number, id: string): HTMLElement {
  return h('div', { class: 'count', 'data-count': id }, h('b', {}, String(n)), h('span', {}, label));
}

function header(title: string): HTMLElement {
  const w = words();
  return h('header', {},
    h('h1', {}, title),
    state.token && state.role ? h('span', { class: 'role', id: 'tablet-role', 'data-role': state.role }, w.role[state.role]) : null,
    state.token && !state.picking ? h('button', { class: 'small', 'data-action': 'tables', onclick: () => { state.picking = true; stopStream(); void loadCounts(); } }, w.changeTables) : null,
    h('button', { class: 'small', 'data-action': 'lang', onclick: () => { state.lang = state.lang === 'en' ? 'es' : 'en'; localStorage.setItem(LS.lang, state.lang); render(); } }, w.language));
}

function banners(): HTMLElement[] {
  const w = words();
  const out: HTMLElement[] = [];
  const waiting = queue.all().length;
  if (!state.online) out.push(h('div', { class: 'banner offline', id: 'offline-banner', role: 'alert' }, w.offline, waiting ? ` ${w.pendingTaps(waiting)}` : ''));
  if (state.message) out.push(h('div', { class: 'banner info', role: 'status' }, state.message));
  return out;
}

function pairScreen(): HTMLElement {
  const w = words();
  const code = h('input', { id: 'pair-code', autocomplete: 'off', autocapitalize: 'characters', inputmode: 'text', placeholder: 'ABCD-2345', 'aria-label': w.pairCode }) as HTMLInputElement;
  const label = h('input', { id: 'pair-label', class: 'label', placeholder: w.pairLabel, 'aria-label': w.pairLabel }) as HTMLInputElement;
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      const r = await api('POST', '/tablet/api/pair', { code: code.value.trim(), ...(label.value.trim() ? { label: label.value.trim() } : {}) });
      if (r.status === 201) {
        state.token = String(r.json.token);
        localStorage.setItem(LS.token, state.token);
        state.pairError = null;
        state.picking = state.tables.length === 0;
        setOnline(true);
        await loadRole();
        await loadCounts();
        start();
        return;
      }
      state.pairError = r.json.error === 'bad_pairing_code' ? w.badCode : String(r.json.message ?? r.json.error);
      setOnline(true);
    } catch {
      setOnline(false);
    }
    render();
  };
  return h('main', { class: 'stack' },
    h('h2', {}, w.pairTitle),
    h('p', {}, w.pairHelp),
    state.pairError ? h('div', { class: 'error', id: 'pair-error', role: 'alert' }, state.pairError) : null,
    h('form', { class: 'stack', onsubmit: submit }, code, label, h('button', { class: 'primary', type: 'submit', id: 'pair-submit' }, w.pairButton)));
}

function pickScreen(): HTMLElement {
  const w = words();
  const chosen = new Set(state.tables);
  const list = h('div', { class: 'tables' });
  for (const t of state.counts?.tables ?? []) {
    const box = h('label', { class: `table-pick${chosen.has(t.table_id) ? ' on' : ''}`, 'data-table': t.table_id },
      h('b', {}, t.label),
      h('span', {}, `${w.expected} ${t.expected} · ${w.checkedIn} ${t.checked_in} · ${w.seated} ${t.seated}`));
    box.addEventListener('click', (e) => {
      e.preventDefault();
      if (chosen.has(t.table_id)) chosen.delete(t.table_id);
      else chosen.add(t.table_id);
      box.classList.toggle('on', chosen.has(t.table_id));
    });
    list.append(box);
  }
  const occasions = (state.counts?.occasions ?? []).map((o) =>
    h('div', { class: 'counts', 'data-occasion': o.occasion_id },
      countBox(`${o.name} · ${w.expected}`, o.expected, 'occ-expected'), countBox(w.checkedIn, o.checked_in, 'occ-checked-in'), countBox(w.seated, o.seated, 'occ-seated')));
  return h('main', { class: 'stack' },
    h('h2', {}, w.occasions), ...occasions,
    h('h2', {}, w.pickTitle), h('p', {}, w.pickHelp), list,
    h('button', { class: 'primary', 'data-action': 'open', onclick: () => {
      if (chosen.size === 0) return;
      state.tables = [...chosen];
      localStorage.setItem(LS.tables, JSON.stringify(state.tables));
      state.picking = false;
      state.board = null;
      start();
    } }, w.open));
}

function boardScreen(): HTMLElement {
  const w = words();
  const guests = shownGuests();
  // Counted from what is shown, so this tablet's unsent taps count too.
  const counts = { expected: guests.length, checked_in: guests.filter((g) => g.status !== 'expected').length, seated: guests.filter((g) => g.status === 'arrived').length };
  const sum = (k: keyof typeof counts) => counts[k];
  const section = (title: string, status: BoardGuest['status'], id: string) => {
    const rows = guests.filter((g) => g.status === status);
    return h('section', { 'data-section': id }, h('h2', {}, `${title} (${rows.length})`), ...(rows.length ? rows.map(guestRow) : [h('p', { class: 'empty' }, w.none)]));
  };
  return h('main', {},
    h('div', { class: 'counts' }, countBox(w.expected, sum('expected'), 'expected'), countBox(w.checkedIn, sum('checked_in'), 'checked-in'), countBox(w.seated, sum('seated'), 'seated')),
    section(w.onTheWay, 'on_the_way', 'on-the-way'),
    section(w.arrived, 'arrived', 'arrived'),
    section(w.notYet, 'expected', 'expected'));
}

function render(): void {
  const root = document.getElementById('app');
  if (!root) return;
  document.documentElement.lang = state.lang;
  const w = words();
  let title = w.title(2);
  let body: HTMLElement;
  if (!state.token) body = pairScreen();
  else if (state.picking || state.tables.length === 0) body = pickScreen();
  else {
    const labels = state.board?.tables.map((t) => t.label) ?? [];
    title = `${w.title(labels.length)} ${labels.join(', ')}`;
    body = boardScreen();
  }
  const focused = document.activeElement?.id;
  const values = new Map<string, string>();
  for (const el of root.querySelectorAll('input')) values.set(el.id, el.value);
  root.replaceChildren(header(title), ...banners(), body);
  for (const [id, v] of values) {
    const el = document.getElementById(id) as HTMLInputElement | null;
    if (el) el.value = v;
  }
  if (focused) document.getElementById(focused)?.focus();
}

function start(): void {
  ensureStream();
  render();
}

// Countdown of undo buttons and minutes since check-in; also retries queued taps while the hub is away.
setInterval(() => {
  if (state.token && !state.picking && state.board && document.activeElement?.tagName !== 'INPUT') render();
}, 1_000);
setInterval(() => void flush(), 3_000);
window.addEventListener('online', () => void flush());

if ('serviceWorker' in navigator && window.isSecureContext) {
  void navigator.serviceWorker.register('/tablet/sw.js', { scope: '/tablet' }).catch(() => undefined);
}

if (state.token && state.tables.length === 0) {
  state.picking = true;
  void loadCounts();
}
if (state.token) void loadRole();
start();
