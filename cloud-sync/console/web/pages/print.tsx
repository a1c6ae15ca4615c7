// The print page: being built (issue 19).
import { t } from '../i18n';
import type { PageProps } from '../routes';

export function PrintPage(_props: PageProps) {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t('print.title')}</h1>
    </section>
  );
}
