// The door's out-of-order screen: guests are sent to another door, staff read why (main's reason and detail).
import type { KioskStatus } from '../../ipc/channels';
import { h } from '../dom';
import type { Messages } from '../i18n';

export class OutOfOrderScreen {
  readonly section: HTMLElement;
  private readonly reason = h('p', { class: 'staff-detail', 'data-testid': 'out-of-order-reason' });

  constructor(private readonly t: Messages) {
    this.section = h('section', { class: 'screen center bad', 'data-screen': 'out_of_order' }, h('div', { class: 'big-icon', 'aria-hidden': 'true' }, '⚠'), h('h1', {}, t.outOfOrderTitle), h('p', {}, t.outOfOrderHint), this.reason);
  }

  render(out: NonNullable<KioskStatus['out_of_order']>): void {
    this.reason.textContent = `${this.t.outOfOrderReason[out.reason]}: ${out.detail}`;
  }
}
