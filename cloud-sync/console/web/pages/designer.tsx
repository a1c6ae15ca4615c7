// The designer page: being built (issue 19).
import { t } from '../i18n';
import type { PageProps } from '../routes';

export function DesignerPage(_props: PageProps) {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t('designer.title')}</h1>
    </section>
  );
}
