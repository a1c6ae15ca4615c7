// The venue desk in staff mode: the walk-in panel (name, party, needs → the hub's proposal with free seats; confirm it
// or pick another listed table; then "Checked in — Table X" and the route, as a scan's welcome shows it), and the
// words staff read when the hub refuses a desk request or cannot be reached. The hub decides; this screen only asks.
import type { IpcError, KioskBridge, WalkInOption, WalkInProposal } from '../../ipc/channels';
import { h } from '../dom';
import type { FloorMap } from '../floor-map';
import type { Messages } from '../i18n';

/** What staff read for a desk call that failed: the screen's own words per code (es, en), main's message otherwise. */
export function deskMessage(t: Messages, e: IpcError): string {
  switch (e.code) {
    case 'no_hub':
    case 'hub_unreachable':
      return t.deskNeedsHub;
    case 'supervisor_required':
      return t.supervisorRequired;
    case 'table_full':
    case 'needs_unmet':
    case 'nothing_to_revert':
    case 'no_occasion':
    case 'not_found':
    case 'request_reused':
      return t.deskRefused[e.code];
    default:
      return e.message;
  }
}

/**
 * A request id for the hub's retry rule (the same id twice adds once). crypto.randomUUID needs a secure context, which a
 * kiosk page opened on its LAN address is not; getRandomValues works everywhere.
 */
export function requestId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const TAG = /^[A-Za-z0-9_-]{1,64}$/;

export interface WalkInHost {
  /** The staff session's token, null once it ended. */
  token(): string | null;
  /** The session ended under us: back to the PIN pad. */
  relock(): void;
  /** The floor map drawn now (the welcome screen's; it moves here while a result is shown). */
  map(): FloorMap;
  /** The panel closed (Cancel or Done): staff mode's search takes the focus again. */
  closed(): void;
}

export class WalkInPanel {
  readonly el: HTMLElement;
  private readonly form: HTMLFormElement;
  private readonly name: HTMLInputElement;
  private readonly party: HTMLInputElement;
  private readonly needs: HTMLInputElement;
  private readonly note = h('p', { class: 'staff-note', role: 'status', 'aria-live': 'polite', 'data-testid': 'walkin-note' });
  private readonly choice: HTMLElement;
  private readonly proposal = h('p', { 'data-testid': 'walkin-proposal' });
  private readonly table: HTMLSelectElement;
  private readonly confirm: HTMLButtonElement;
  private readonly result: HTMLElement;
  private readonly doneTitle = h('h2', { 'data-testid': 'walkin-done', tabindex: '-1' });
  private readonly doneWho = h('p', { 'data-testid': 'walkin-who' });
  private readonly doneNote = h('p', { 'data-testid': 'walkin-route-note' });
  private readonly mapWrap = h('div', { class: 'map-wrap walkin-map' });
  /** The add's retry key: kept while a confirm may have reached the hub, new after a refusal or a new proposal. */
  private pendingId: string | null = null;
  private busy = false;

  constructor(
    private readonly t: Messages,
    private readonly bridge: KioskBridge,
    private readonly host: WalkInHost,
  ) {
    this.name = h('input', { id: 'walkin-name', type: 'text', autocomplete: 'off', maxlength: '200', required: '', 'data-testid': 'walkin-name' });
    this.party = h('input', { id: 'walkin-party', type: 'number', min: '1', max: '1000', step: '1', value: '1', required: '', 'data-testid': 'walkin-party' });
    this.needs = h('input', { id: 'walkin-needs', type: 'text', autocomplete: 'off', maxlength: '200', 'data-testid': 'walkin-needs' });
    this.form = h(
      'form',
      // Checked here, in the staff's language (the browser's own bubbles speak the browser's).
      { class: 'walkin-form', 'aria-labelledby': 'walkin-title', novalidate: '' },
      h('label', { for: 'walkin-name' }, t.walkInName),
      this.name,
      h('label', { for: 'walkin-party' }, t.walkInParty),
      this.party,
      h('label', { for: 'walkin-needs' }, t.walkInNeeds),
      this.needs,
      h('div', { class: 'row' }, h('button', { type: 'submit', 'data-testid': 'walkin-propose' }, t.walkInPropose), this.cancelButton()),
    );
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.propose();
    });
    // A new name or party is a new walk-in: the proposal shown is no longer theirs.
    for (const input of [this.name, this.party, this.needs]) input.addEventListener('input', () => this.showChoice(false));
    this.table = h('select', { id: 'walkin-table', 'data-testid': 'walkin-table' });
    this.table.addEventListener('change', () => (this.pendingId = requestId()));
    this.confirm = h('button', { type: 'button', 'data-testid': 'walkin-confirm' }, t.walkInConfirm);
    this.confirm.addEventListener('click', () => void this.add());
    this.choice = h('div', { class: 'walkin-choice', hidden: '' }, this.proposal, h('label', { for: 'walkin-table' }, t.walkInTable), this.table, h('div', { class: 'row' }, this.confirm));
    const done = h('button', { type: 'button', 'data-testid': 'walkin-finish' }, t.done);
    done.addEventListener('click', () => this.close());
    this.result = h(
      'div',
      { class: 'walkin-result', hidden: '', role: 'status', 'aria-live': 'polite' },
      h('div', { class: 'welcome-text' }, this.doneTitle, this.doneWho, this.doneNote, h('div', {}, done)),
      this.mapWrap,
    );
    this.el = h(
      'section',
      { class: 'walkin', hidden: '', 'aria-labelledby': 'walkin-title', 'data-testid': 'walkin-panel' },
      h('h2', { id: 'walkin-title' }, t.walkInTitle),
      this.form,
      this.note,
      this.choice,
      this.result,
    );
    this.el.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.close();
    });
  }

  isOpen(): boolean {
    return !this.el.hidden;
  }

  /** A fresh walk-in: nothing of the last one stays. */
  open(): void {
    this.name.value = '';
    this.party.value = '1';
    this.needs.value = '';
    this.note.textContent = '';
    this.form.hidden = false;
    this.result.hidden = true;
    this.showChoice(false);
    this.el.hidden = false;
    this.name.focus();
  }

  close(): void {
    if (this.el.hidden) return;
    this.el.hidden = true;
    this.host.closed();
  }

  private cancelButton(): HTMLButtonElement {
    const b = h('button', { type: 'button', class: 'secondary', 'data-testid': 'walkin-cancel' }, this.t.cancel);
    b.addEventListener('click', () => this.close());
    return b;
  }

  private showChoice(on: boolean): void {
    this.choice.hidden = !on;
    if (!on) {
      this.proposal.textContent = '';
      this.table.replaceChildren();
      this.pendingId = null;
    }
  }

  private failed(e: IpcError): void {
    if (e.code === 'staff_locked') return this.host.relock();
    this.note.textContent = deskMessage(this.t, e);
  }

  private async propose(): Promise<void> {
    const token = this.host.token();
    if (!token) return this.host.relock();
    const t = this.t;
    const party = Number(this.party.value);
    if (!this.name.value.trim()) {
      this.note.textContent = t.walkInNameMissing;
      this.name.focus();
      return;
    }
    if (!Number.isInteger(party) || party < 1 || party > 1000) {
      this.note.textContent = `${t.walkInParty}: 1–1000`;
      this.party.focus();
      return;
    }
    const needs = this.needs.value.split(/[\s,]+/).filter(Boolean);
    const bad = needs.find((n) => !TAG.test(n));
    if (bad !== undefined) {
      this.note.textContent = `${t.walkInNeeds}: "${bad}"`;
      this.needs.focus();
      return;
    }
    this.note.textContent = '';
    const r = await this.bridge.invoke('desk.proposeWalkIn', { staff_token: token, party_size: party, ...(needs.length ? { needs } : {}) });
    if (!r.ok) return this.failed(r.error);
    this.renderProposal(r.value);
  }

  private optionText(o: WalkInOption): string {
    return this.t.walkInOption(this.t.table(o.label), o.free_seats, o.parties);
  }

  private renderProposal(p: WalkInProposal): void {
    const t = this.t;
    const first = p.options[0];
    this.proposal.textContent = first ? t.walkInProposal(t.table(first.label), first.free_seats) : t.walkInNone[p.reason ?? 'no_table_with_room'];
    // The hub's options best first, then "no table" (staff seat them by hand): staff may always check them in.
    this.table.replaceChildren(
      ...p.options.map((o) => h('option', { value: o.table_id }, this.optionText(o))),
      h('option', { value: '' }, t.walkInNoTableOption),
    );
    this.table.selectedIndex = 0;
    this.pendingId = requestId();
    this.showChoice(true);
    this.table.focus();
  }

  private async add(): Promise<void> {
    const token = this.host.token();
    if (!token) return this.host.relock();
    if (this.busy) return; // a second tap while the first is on its way adds nobody twice
    this.busy = true;
    this.pendingId ??= requestId();
    try {
      const r = await this.bridge.invoke('desk.addWalkIn', {
        staff_token: token,
        request_id: this.pendingId,
        name: this.name.value.trim().slice(0, 200),
        party_size: Number(this.party.value),
        table_id: this.table.value === '' ? null : this.table.value,
      });
      if (!r.ok) {
        // Refused: nothing was added, the next try is a new request. Unanswered: it may have been, so the same id again.
        if (r.error.code !== 'hub_unreachable' && r.error.code !== 'unavailable') this.pendingId = requestId();
        return this.failed(r.error);
      }
      this.showResult(r.value.guest);
    } finally {
      this.busy = false;
    }
  }

  private showResult(g: { name: string; party_size: number; table_id: string | null; table_label: string | null }): void {
    const t = this.t;
    const map = this.host.map();
    this.mapWrap.replaceChildren(map.svg); // the one drawn map moves here; the welcome screen takes it back
    const route = map.show(g.table_id);
    this.doneTitle.textContent = t.walkInDone(g.table_label ? t.table(g.table_label) : t.noTable);
    this.doneWho.textContent = t.walkInDoneWho(g.name, t.party(g.party_size));
    this.doneNote.textContent = g.table_id && route.status !== 'ok' ? t.noRoute : '';
    this.note.textContent = '';
    this.form.hidden = true;
    this.showChoice(false);
    this.result.hidden = false;
    this.doneTitle.focus();
  }
}
