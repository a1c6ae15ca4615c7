// Stands in for a page not built yet (Devices, Live, Audit, Account, Team): the navigation already leads there.
import { t, type StringKey } from '../i18n';

export function placeholder(title: StringKey) {
  return function Placeholder() {
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title">{t(title)}</h1>
        <p>{t('partb.placeholder')}</p>
      </section>
    );
  };
}
