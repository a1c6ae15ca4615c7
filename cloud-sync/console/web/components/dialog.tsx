// A modal dialog on the browser's own <dialog>: showModal() makes the rest of the page inert (focus cannot leave it),
// Escape closes it, and focus goes back to the control that opened it. Tab wraps inside it as well, so the keyboard
// never reaches the browser's address bar from the middle of a confirmation.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { uid } from './field';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren; class?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useRef(uid('dialog-title')).current;
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;

  useEffect(() => {
    const dialog = ref.current as HTMLDialogElement;
    const opener = document.activeElement as HTMLElement | null;
    if (!dialog.open) dialog.showModal();
    const first = dialog.querySelector<HTMLElement>('[data-autofocus]') ?? dialog.querySelector<HTMLElement>(FOCUSABLE);
    first?.focus();
    return () => {
      if (dialog.open) dialog.close();
      // The opener may have been re-rendered away; then the page's main region takes focus.
      if (opener && opener.isConnected) opener.focus();
      else document.getElementById('main')?.focus();
    };
  }, []);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Tab') return;
    const items = [...(ref.current as HTMLDialogElement).querySelectorAll<HTMLElement>(FOCUSABLE)];
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  return (
    <dialog
      ref={ref}
      class={`dialog${props.class ? ` ${props.class}` : ''}`}
      aria-labelledby={titleId}
      onKeyDown={onKeyDown}
      // Escape: the browser fires cancel; the page decides (and unmounts the dialog).
      onCancel={(e) => { e.preventDefault(); onClose.current(); }}
    >
      <h2 id={titleId}>{props.title}</h2>
      {props.children}
    </dialog>
  );
}
