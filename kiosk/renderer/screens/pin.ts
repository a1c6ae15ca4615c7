// The staff PIN pad in front of staff mode. Main checks the PIN and its lockout; this screen only says "wrong" or "locked".
import type { KioskBridge, StaffRole } from '../../ipc/channels';
import { h } from '../dom';
import type { Messages } from '../i18n';
import { ScanIgnoredNotice } from './scan-ignored';

export interface PinHost {
  /** `role`: whose PIN it was (steward or supervisor); `supervisorRights`: whether it may do a supervisor's actions. */
  unlocked(staffToken: string, role: StaffRole, supervisorRights: boolean): void;
  cancel(): void;
}

export class PinScreen {
  readonly section: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly error = h('div', { class: 'error', role: 'alert', 'data-testid': 'pin-error' });
  private readonly notice = new ScanIgnoredNotice('pin-scan-ignored');

  constructor(
    private readonly t: Messages,
    private readonly bridge: KioskBridge,
    private readonly host: PinHost,
  ) {
    this.input = h('input', { type: 'password', inputmode: 'numeric', autocomplete: 'off', 'aria-label': t.pinPrompt, 'data-testid': 'pin-input', maxlength: '12' });
    const form = h(
      'form',
      { class: 'pin-form' },
      h('h1', {}, t.pinPrompt),
      this.input,
      this.error,
      h('div', { class: 'row' }, h('button', { type: 'submit', 'data-testid': 'pin-submit' }, t.unlock), h('button', { type: 'button', class: 'secondary', 'data-action': 'cancel-pin' }, t.cancel)),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.unlock(this.input.value);
    });
    this.section = h('section', { class: 'screen center', 'data-screen': 'pin' }, form, this.notice.el);
    this.section.addEventListener('click', (e) => {
      if ((e.target as HTMLElement).closest('[data-action]')?.getAttribute('data-action') === 'cancel-pin') this.host.cancel();
    });
  }

  /** A fresh pad: no digits and no error left from the last person. Call once the screen is shown (focus needs it). */
  open(): void {
    this.input.value = '';
    this.error.textContent = '';
    this.notice.clear();
    this.input.focus();
  }

  /**
   * A scan came while the pad was open: it was not decided, and the pad says so. `typed`: the code a keyboard-wedge
   * scanner typed into the PIN field (its Enter did not submit it); the field is emptied, as those digits are no PIN.
   */
  scanIgnored(typed: string | null): void {
    if (typed !== null) this.input.value = '';
    this.notice.show(this.t.scanIgnoredPin);
  }

  private async unlock(pin: string): Promise<void> {
    if (!pin) return;
    const r = await this.bridge.invoke('staff.unlock', { pin });
    this.input.value = '';
    if (!r.ok) {
      this.error.textContent = r.error.code === 'too_many_attempts' ? this.t.pinLocked : this.t.pinWrong;
      return;
    }
    this.host.unlocked(r.value.staff_token, r.value.role, r.value.supervisor_rights);
  }
}
