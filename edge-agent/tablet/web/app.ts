// The table tablet: pair once, pick tables, watch guests go from "expected" to "on the way" to "arrived", and confirm
// an arrival with one tap (undoable for a few seconds). Plain DOM; the board streams from the hub; taps queue on the
// tablet whenever the hub cannot be reached. The desk (walk-ins, moves, +1, undo a check-in) asks the hub directly
// and never queues: the hub decides where a guest sits, so an answer is needed there and then. VIP arrivals alert.
import type { Board, BoardGuest, SeatingCounts, StaffRole, TabletMe } from '../../../core/contract/staff';
import type { MoveResult, VipAlert, WalkInProposal, WalkInResult } from '../../../core/contract/desk';
import { WORDS, pickLang, type Lang, type Words } from './i18n';
import { newEventId } from '../../../core/contract/event-id';
import { TapQueue, parseSse, type QueuedAction } from './queue';

const LS = { token: 'seatpilot.tablet.token', tables: 'seatpilot.tablet.tables', lang: 'seatpilot.tablet.lang', vipDismissed: 'seatpilot.tablet.vip-dismissed' };

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
  host: false,
  /** VIP arrivals not dismissed yet, newest first. */
  vips: [] as VipAlert[],
  walkIn: null as WalkInForm | null,
  /** The guest whose desk actions are open, and what is being typed there. */
  guestMenu: null as GuestMenu | null,
  /** A desk call is on its way: its buttons wait. */
  deskBusy: false,
};

interface WalkInForm {
  requestId: string;
  name: string;
  party: string;
  needs: string;
  proposal: WalkInProposal | null;
  /** The table chosen among the proposal's options ('' for no table). */
  pick: string;
  error: string | null;
}

interface GuestMenu {
  guestId: string;
  moveTo: string;
  reason: string;
  revertOpen: boolean;
  /** One per intention: sent again after a lost answer, the hub does it once. */
  moveRequestId: string;
  revertRequestId: string;
  error: string | null;
}
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
  state.host = false;
  state.walkIn = null;
  state.guestMenu = null;
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
            if (ev.event === 'vip') onVip(JSON.parse(ev.data) as VipAlert);
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
  // A guest moved away (by another tablet, a door, the console) takes their open desk actions with them.
  if (state.guestMenu && !board.guests.some((g) => g.guest_id === state.guestMenu?.guestId)) state.guestMenu = null;
  state.offsetMs = board.now_ms - Date.now();
  setOnline(true);
  void flush();
  render();
}

// --- VIP arrivals ----------------------------------------------------------------------------------------------------
const vipKey = (a: VipAlert) => `${a.guest_id}@${a.checked_in_at}`;

/** The alerts staff dismissed: the hub replays the last minutes' to a tablet that reconnects, a reload included. */
function dismissedVips(): string[] {
  try {
    const v = JSON.parse(localStorage.getItem(LS.vipDismissed) ?? '[]') as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function onVip(alert: VipAlert): void {
  if (state.vips.some((v) => vipKey(v) === vipKey(alert)) || dismissedVips().includes(vipKey(alert))) return;
  state.vips = [alert, ...state.vips];
  renderVips();
}

function dismissVip(alert: VipAlert): void {
  state.vips = state.vips.filter((v) => vipKey(v) !== vipKey(alert));
  localStorage.setItem(LS.vipDismissed, JSON.stringify([...dismissedVips(), vipKey(alert)].slice(-200)));
  renderVips();
  // Keyboard users land on the next alert, or back on the board.
  (document.querySelector<HTMLElement>('#vip-alerts [data-action="dismiss-vip"]') ?? document.querySelector<HTMLElement>('#app h1'))?.focus();
}

/**
 * The alerts live outside the board's root and are redrawn only when they change: a role=alert node made anew every
 * second (the board's countdown redraw) would be read out again every second.
 */
function renderVips(): void {
  const root = document.getElementById('vip-alerts');
  if (!root) return;
  const w = words();
  root.replaceChildren(...state.vips.map((a, i) => {
    const titleId = `vip-title-${i}`;
    const details = [w.vipAt(a.table_label ?? a.table_id), w.party(a.party_size), w.vipDoor(a.door_id)].filter(Boolean).join(' · ');
    return h('div', { class: 'vip-alert', role: 'alert', 'aria-labelledby': titleId, 'data-vip': a.guest_id },
      h('div', { class: 'who' },
        h('div', { class: 'vip-title', id: titleId }, w.vipTitle(a.name)),
        h('div', { class: 'meta' }, details),
        a.notes ? h('div', { class: 'notes' }, `${w.note}: ${a.notes}`) : null),
      h('button', { class: 'small', 'data-action': 'dismiss-vip', 'aria-label': w.dismissVip(a.name), onclick: () => dismissVip(a) }, w.dismiss));
  }));
}

// --- the desk: walk-ins, moves, +1, undo a check-in ------------------------------------------------------------------
type DeskAnswer = { ok: true; status: number; json: Record<string, unknown> } | { ok: false; message: string };

/** One desk call; a refusal comes back in the tablet's words when the hub's code is known, else in the hub's. */
async function desk(path: string, body: unknown): Promise<DeskAnswer> {
  const w = words();
  let r: { status: number; json: Record<string, unknown> };
  try {
    r = await api('POST', `/tablet/api/desk/${path}`, body);
  } catch (e) {
    if (e instanceof Unauthorized) {
      unpair();
      return { ok: false, message: w.pairAgain };
    }
    setOnline(false);
    return { ok: false, message: w.deskOffline };
  }
  setOnline(true);
  if (r.status >= 200 && r.status < 300) return { ok: true, status: r.status, json: r.json };
  const code = String(r.json.error ?? '');
  return { ok: false, message: w.deskError[code] ?? String(r.json.message ?? code) };
}

function openWalkIn(): void {
  state.walkIn = { requestId: newEventId(), name: '', party: '1', needs: '', proposal: null, pick: '', error: null };
  state.message = null;
  render();
  document.getElementById('walkin-name')?.focus();
}

const needsOf = (text: string) => text.split(',').map((t) => t.trim()).filter(Boolean);

async function proposeWalkIn(): Promise<void> {
  const f = state.walkIn;
  if (!f || state.deskBusy) return;
  const party = Number(f.party);
  if (!Number.isInteger(party) || party < 1) {
    f.error = words().deskError.bad_request as string;
    return render();
  }
  state.deskBusy = true;
  render();
  const needs = needsOf(f.needs);
  const r = await desk('walk-ins/proposal', { party_size: party, ...(needs.length ? { needs } : {}) });
  state.deskBusy = false;
  if (state.walkIn !== f) return render();
  if (r.ok) {
    f.proposal = r.json as unknown as WalkInProposal;
    f.pick = f.proposal.options[0]?.table_id ?? '';
    f.error = null;
  } else f.error = r.message;
  render();
  document.querySelector<HTMLElement>('#walk-in input[name="walkin-table"]:checked')?.focus();
}

async function confirmWalkIn(): Promise<void> {
  const f = state.walkIn;
  if (!f || !f.proposal || state.deskBusy) return;
  if (!f.name.trim()) {
    f.error = words().deskError.bad_request as string;
    render();
    return document.getElementById('walkin-name')?.focus();
  }
  state.deskBusy = true;
  render();
  const r = await desk('walk-ins', { request_id: f.requestId, name: f.name.trim(), party_size: Number(f.party), table_id: f.pick === '' ? null : f.pick });
  state.deskBusy = false;
  if (state.walkIn !== f) return render();
  if (r.ok) {
    const done = r.json as unknown as WalkInResult;
    state.walkIn = null;
    state.message = words().walkInDone(done.guest.name, done.guest.table_label);
  } else f.error = r.message;
  render();
  if (!state.walkIn) document.querySelector<HTMLElement>('[data-action="walk-in"]')?.focus();
}

function openGuestMenu(g: BoardGuest): void {
  state.guestMenu = state.guestMenu?.guestId === g.guest_id
    ? null
    : { guestId: g.guest_id, moveTo: '', reason: '', revertOpen: false, moveRequestId: newEventId(), revertRequestId: newEventId(), error: null };
  // The tables to move to: the venue's, as the hub counts them.
  if (state.guestMenu && state.role === 'supervisor') void loadCounts();
  render();
}

/** A desk call from a guest's menu, the desk busy meanwhile: `done` takes the hub's answer; a refusal stays in the menu. */
async function menuDesk(m: GuestMenu, path: string, body: unknown, done: (json: Record<string, unknown>) => void): Promise<void> {
  state.deskBusy = true;
  render();
  const r = await desk(path, body);
  state.deskBusy = false;
  if (r.ok) done(r.json);
  else m.error = r.message;
  render();
}

async function changeParty(g: BoardGuest, by: number): Promise<void> {
  const m = state.guestMenu;
  if (!m || state.deskBusy || g.party_size + by < 1) return;
  await menuDesk(m, 'moves', { request_id: newEventId(), guest_id: g.guest_id, party_size: g.party_size + by }, (json) => {
    const done = json as unknown as MoveResult;
    state.message = words().partyChanged(done.guest.name, done.guest.party_size);
    m.error = null;
  });
}

async function moveGuest(g: BoardGuest): Promise<void> {
  const m = state.guestMenu;
  if (!m || state.deskBusy || !m.moveTo) return;
  await menuDesk(m, 'moves', { request_id: m.moveRequestId, guest_id: g.guest_id, to_table_id: m.moveTo }, (json) => {
    const done = json as unknown as MoveResult;
    state.message = words().moved(done.guest.name, done.guest.table_label);
    state.guestMenu = null;
  });
}

async function revertCheckin(g: BoardGuest): Promise<void> {
  const m = state.guestMenu;
  if (!m || state.deskBusy) return;
  if (!m.reason.trim()) {
    m.error = words().revertReason;
    render();
    return document.getElementById(`revert-reason-${g.guest_id}`)?.focus();
  }
  await menuDesk(m, 'reverts', { request_id: m.revertRequestId, guest_id: g.guest_id, reason: m.reason.trim() }, () => {
    state.message = words().reverted(g.name);
    state.guestMenu = null;
  });
}

/** Who this tablet works as: shown in the header, so staff know what it may do. */
async function loadRole(): Promise<void> {
  try {
    const r = await api('GET', '/tablet/api/me');
    if (r.status !== 200) return;
    const me = r.json as unknown as TabletMe;
    state.role = me.role === 'supervisor' ? 'supervisor' : 'steward';
    state.host = me.host === true;
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
  if (g.meal) meta.push(`${w.meal}: ${g.meal}`);
  if (g.queued) meta.push(w.queued);
  let action: HTMLElement | null = null;
  const undoLeft = g.undo_key ? (g.queued && g.undo_until_ms === null ? 1 : Math.ceil(((g.undo_until_ms ?? 0) - hubNow()) / 1000)) : 0;
  if (g.status === 'on_the_way') {
    action = h('button', { class: 'primary', 'data-action': 'arrive', onclick: () => tapArrived(g) }, w.tapArrived);
  } else if (g.status === 'arrived' && g.undo_key && undoLeft > 0) {
    const key = g.undo_key;
    action = h('button', { class: 'undo', 'data-action': 'undo', onclick: () => tapUndo(key, g.guest_id) }, g.queued && g.undo_until_ms === null ? w.undo : `${w.undo} (${undoLeft})`);
  }
  const open = state.guestMenu?.guestId === g.guest_id;
  return h(
    'div',
    { class: 'guest', 'data-guest': g.guest_id, 'data-status': g.status },
    h('div', { class: 'who' },
      h('div', { class: 'name' }, g.name, g.vip ? h('span', { class: 'vip-badge', 'data-vip-badge': true }, w.vipBadge) : null),
      meta.length ? h('div', { class: 'meta' }, meta.join(' · ')) : null,
      g.notes ? h('div', { class: 'notes', 'data-notes': true }, `${w.note}: ${g.notes}`) : null,
      g.seen_at ? h('div', { class: 'seen', 'data-seen-at': g.seen_at.table_id }, w.seenAt(g.seen_at.table_label)) : null),
    action,
    h('button', { class: 'small', id: `more-${g.guest_id}`, 'data-action': 'guest-menu', 'aria-expanded': String(open), 'aria-controls': `menu-${g.guest_id}`, 'aria-label': w.moreFor(g.name), onclick: () => openGuestMenu(g) }, w.more),
    open ? guestMenu(g, state.guestMenu as GuestMenu) : null,
  );
}

/** A guest's desk actions: +1 / −1 for anyone; moving and undoing a check-in for a supervisor, explained otherwise. */
function guestMenu(g: Shown, m: GuestMenu): HTMLElement {
  const w = words();
  const id = g.guest_id;
  const supervisor = state.role === 'supervisor';
  const busy = state.deskBusy;
  const why = `why-${id}`;
  const input = (e: Event) => (e.target as HTMLInputElement | HTMLSelectElement).value;
  const parts: Array<HTMLElement | null> = [
    h('button', { class: 'small', id: `plus-${id}`, 'data-action': 'plus-one', 'aria-label': w.plusOneLabel(g.name), disabled: busy, onclick: () => void changeParty(g, 1) }, w.plusOne),
    h('button', { class: 'small', id: `minus-${id}`, 'data-action': 'minus-one', 'aria-label': w.minusOneLabel(g.name), disabled: busy || g.party_size <= 1, onclick: () => void changeParty(g, -1) }, w.minusOne),
  ];
  if (supervisor) {
    const select = h('select', { id: `move-to-${id}`, 'aria-label': w.moveTo, onchange: (e: Event) => { m.moveTo = input(e); render(); } },
      h('option', { value: '' }, `${w.moveTo}…`),
      ...(state.counts?.tables ?? []).filter((t) => t.table_id !== g.table_id).map((t) => h('option', { value: t.table_id }, `${w.title(1)} ${t.label}`))) as HTMLSelectElement;
    select.value = m.moveTo;
    parts.push(select, h('button', { class: 'small', id: `move-${id}`, 'data-action': 'move', disabled: busy || !m.moveTo, onclick: () => void moveGuest(g) }, w.confirmMove));
  } else {
    parts.push(h('button', { class: 'small', id: `move-${id}`, 'data-action': 'move', disabled: true, 'aria-describedby': why, title: w.supervisorOnly }, w.move));
  }
  if (g.status !== 'expected') {
    if (!supervisor) {
      parts.push(h('button', { class: 'small', id: `revert-${id}`, 'data-action': 'revert', disabled: true, 'aria-describedby': why, title: w.supervisorOnly }, w.revert));
    } else if (!m.revertOpen) {
      parts.push(h('button', { class: 'small', id: `revert-${id}`, 'data-action': 'revert', disabled: busy, onclick: () => { m.revertOpen = true; render(); document.getElementById(`revert-reason-${id}`)?.focus(); } }, w.revert));
    } else {
      const reason = h('input', { id: `revert-reason-${id}`, class: 'label', maxlength: 500, 'aria-label': w.revertReason, placeholder: w.revertReason, oninput: (e: Event) => { m.reason = input(e); } }) as HTMLInputElement;
      reason.value = m.reason;
      parts.push(h('form', { class: 'inline', onsubmit: (e: Event) => { e.preventDefault(); void revertCheckin(g); } },
        reason, h('button', { class: 'small undo', type: 'submit', id: `revert-confirm-${id}`, 'data-action': 'revert-confirm', disabled: busy }, w.confirmRevert)));
    }
  }
  return h('div', { class: 'desk-menu', id: `menu-${id}`, role: 'group', 'aria-label': w.guestActions(g.name) },
    ...parts,
    supervisor ? null : h('p', { class: 'why', id: why }, w.supervisorOnly),
    m.error ? h('div', { class: 'error', role: 'alert', 'data-desk-error': true }, m.error) : null);
}

/** Seat a walk-in: name, party and needs; the hub proposes tables (best first), staff confirm one or pick another. */
function walkInPanel(f: WalkInForm): HTMLElement {
  const w = words();
  const busy = state.deskBusy;
  const value = (e: Event) => (e.target as HTMLInputElement).value;
  const stale = () => {
    // The proposal was for another party: ask again before seating.
    if (f.proposal) {
      f.proposal = null;
      render();
    }
  };
  const field = (id: string, label: string, attrs: Attrs, on: (v: string) => void, v: string) => {
    const el = h('input', { id, class: 'label', ...attrs, oninput: (e: Event) => on(value(e)) }) as HTMLInputElement;
    el.value = v;
    return h('div', { class: 'field' }, h('label', { for: id }, label), el);
  };
  const p = f.proposal;
  const options = p
    ? h('fieldset', { class: 'options' },
      h('legend', {}, w.proposalTitle),
      ...(p.options.length === 0 && p.reason ? [h('p', { class: 'empty', 'data-walkin-reason': p.reason }, w.noTable[p.reason] ?? p.reason)] : []),
      ...[...p.options.map((o) => ({ id: o.table_id, text: w.option(o.label, o.free_seats, o.parties) })), { id: '', text: w.noTableOption }].map((o) => {
        const rid = `walkin-table-${o.id || 'none'}`;
        const radio = h('input', { type: 'radio', name: 'walkin-table', id: rid, value: o.id, checked: f.pick === o.id, onchange: () => { f.pick = o.id; } });
        return h('div', { class: 'option', 'data-option': o.id }, radio, h('label', { for: rid }, o.text));
      }))
    : null;
  return h('section', { id: 'walk-in', class: 'panel', 'aria-labelledby': 'walkin-title' },
    h('h2', { id: 'walkin-title' }, w.walkInTitle),
    h('form', { class: 'stack', onsubmit: (e: Event) => { e.preventDefault(); void (f.proposal ? confirmWalkIn() : proposeWalkIn()); } },
      field('walkin-name', w.walkInName, { autocomplete: 'off', maxlength: 200 }, (v) => { f.name = v; }, f.name),
      field('walkin-party', w.walkInParty, { type: 'number', min: 1, max: 1000, inputmode: 'numeric' }, (v) => { f.party = v; stale(); }, f.party),
      field('walkin-needs', w.walkInNeeds, { autocomplete: 'off' }, (v) => { f.needs = v; stale(); }, f.needs),
      options,
      f.error ? h('div', { class: 'error', role: 'alert', 'data-desk-error': true }, f.error) : null,
      h('div', { class: 'row' },
        p
          ? h('button', { class: 'primary', type: 'submit', id: 'walkin-confirm', 'data-action': 'walk-in-confirm', disabled: busy }, w.confirmWalkIn)
          : h('button', { class: 'primary', type: 'submit', id: 'walkin-propose', 'data-action': 'walk-in-propose', disabled: busy }, w.propose),
        h('button', { type: 'button', id: 'walkin-cancel', 'data-action': 'walk-in-cancel', onclick: () => { state.walkIn = null; render(); document.querySelector<HTMLElement>('[data-action="walk-in"]')?.focus(); } }, w.cancel))));
}

function countBox(label: string, n: number, id: string): HTMLElement {
  return h('div', { class: 'count', 'data-count': id }, h('b', {}, String(n)), h('span', {}, label));
}

function header(title: string): HTMLElement {
  const w = words();
  return h('header', {},
    h('h1', {}, title),
    state.token && state.role ? h('span', { class: 'role', id: 'tablet-role', 'data-role': state.role }, w.role[state.role]) : null,
    state.token && state.host ? h('span', { class: 'role', id: 'tablet-host' }, w.host) : null,
    state.token && !state.picking ? h('button', { class: 'small', 'data-action': 'tables', onclick: () => { state.picking = true; stopStream(); void loadCounts(); } }, w.changeTables) : null,
    h('button', { class: 'small', 'data-action': 'lang', onclick: () => { state.lang = state.lang === 'en' ? 'es' : 'en'; localStorage.setItem(LS.lang, state.lang); render(); renderVips(); } }, w.language));
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
  const labels = new Map((state.board?.tables ?? []).map((t) => [t.table_id, t.label]));
  const meals = (state.board?.meals ?? []).filter((m) => m.meals.length > 0);
  return h('main', {},
    h('div', { class: 'counts' }, countBox(w.expected, sum('expected'), 'expected'), countBox(w.checkedIn, sum('checked_in'), 'checked-in'), countBox(w.seated, sum('seated'), 'seated')),
    meals.length
      ? h('section', { class: 'meals', 'aria-label': w.mealsTitle }, ...meals.map((m) => h('p', { 'data-meals': m.table_id }, w.meals(labels.get(m.table_id) ?? m.table_id, m.meals))))
      : null,
    state.walkIn
      ? walkInPanel(state.walkIn)
      : h('div', { class: 'row' }, h('button', { 'data-action': 'walk-in', 'aria-expanded': 'false', 'aria-controls': 'walk-in', onclick: openWalkIn }, w.walkIn)),
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
  // Not while staff type or work in a desk form: a redraw would close a menu's list or move the screen reader.
  const typing = ['INPUT', 'SELECT', 'TEXTAREA'].includes(document.activeElement?.tagName ?? '');
  if (state.token && !state.picking && state.board && !typing && !state.walkIn && !state.guestMenu) render();
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
renderVips();
