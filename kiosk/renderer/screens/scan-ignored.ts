// The line the PIN pad and staff mode show when a guest scans while staff hold the screen (see ../scans.ts for why that
// scan is not decided). It clears itself after a while, so staff do not read an old scan as a new one.
import { h } from '../dom';

const NOTICE_MS = 10_000;

export class ScanIgnoredNotice {
  readonly el: HTMLElement;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(testId: string) {
    this.el = h('p', { class: 'scan-ignored', role: 'status', 'data-testid': testId });
  }

  show(text: string): void {
    this.el.textContent = text;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.clear(), NOTICE_MS);
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.el.textContent = '';
  }
}
