// A button that copies a text (a set-password link, the pair command) and says so through the live region. Where
// the clipboard is refused (an http page on another host), the text's own field is selected for Ctrl+C instead.
import { t } from '../i18n';
import { announce } from '../state';

export function CopyButton(props: { text: string; label: string; selectId?: string }) {
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      announce(t('copy.copied'));
    } catch {
      const field = props.selectId ? (document.getElementById(props.selectId) as HTMLInputElement | null) : null;
      field?.focus();
      field?.select();
      announce(t('copy.select_instead'), 'error');
    }
  };
  return <button type="button" onClick={() => void copy()} aria-label={props.label}>{t('copy.copy')}</button>;
}
