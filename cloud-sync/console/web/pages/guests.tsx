// (being built)
import { t } from '../i18n';
import type { PageProps } from '../routes';

export function GuestsPage(_props: PageProps) {
  return <h1>{t('nav.guests')}</h1>;
}
