// The frame of every signed-in page: the header (tenant, venue and occasion pickers, language, sign out), the
// navigation (what the role may open), the page, and the aria-live region that reads out status messages.
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { may } from '../../../core/console/roles';
import { errorText, loadOccasions, signOut } from './data';
import { t } from './i18n';
import { href, location } from './router';
import { ROUTES } from './routes';
import {
  announce, chooseOccasion, chooseVenue, lang, occasionId, occasions, session, setLang, status, venueId, venues,
} from './state';
import { LANGS, type Lang } from './strings';

export function Layout(props: { children: ComponentChildren }) {
  const s = session.value;
  if (!s) return null;
  const role = s.account.role;
  const here = location.value.path;
  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>{t('common.skip_to_content')}</a>
      <header class="top">
        <div class="brand">
          <strong>{s.account.tenant_name}</strong>
          <span class="muted">{t('common.app_name')}</span>
        </div>
        <Pickers />
        <div class="who">
          <label class="inline">
            <span class="sr-only">{t('common.language')}</span>
            <select aria-label={t('common.language')} value={lang.value} onChange={(e) => setLang((e.currentTarget as HTMLSelectElement).value as Lang)}>
              {LANGS.map((l) => <option value={l} key={l}>{l === 'es' ? 'Español' : 'English'}</option>)}
            </select>
          </label>
          <span class="muted small" title={s.account.email}>{t('common.signed_in_as', { email: s.account.email, role: t(`role.${role}`) })}</span>
          <button type="button" onClick={() => void signOut()}>{t('common.sign_out')}</button>
        </div>
      </header>
      <nav class="nav" aria-label={t('common.nav_label')}>
        <ul>
          {ROUTES.filter((r) => r.nav && may(role, r.permission ?? 'read')).map((r) => {
            const current = here === r.pattern || (r.pattern === '/guests' && here.startsWith('/guest/'));
            return (
              <li key={r.pattern}>
                <a href={href(r.pattern)} aria-current={current ? 'page' : undefined}>{t(r.nav!)}</a>
              </li>
            );
          })}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>{props.children}</main>
      <StatusLine />
    </div>
  );
}

function Pickers() {
  // The chosen venue's occasions follow the venue picker.
  const v = venueId.value;
  useEffect(() => {
    loadOccasions().catch((e) => announce(errorText(e), 'error'));
  }, [v]);
  return (
    <div class="pickers">
      <label class="inline">
        <span>{t('common.venue')}</span>
        <select value={v ?? ''} onChange={(e) => chooseVenue((e.currentTarget as HTMLSelectElement).value || null)} disabled={!venues.value.length}>
          {!venues.value.length && <option value="">{t('common.no_venues')}</option>}
          {venues.value.map((x) => <option value={x.id} key={x.id}>{x.name}</option>)}
        </select>
      </label>
      <label class="inline">
        <span>{t('common.occasion')}</span>
        <select value={occasionId.value ?? ''} onChange={(e) => chooseOccasion((e.currentTarget as HTMLSelectElement).value || null)} disabled={!occasions.value.length}>
          {!occasions.value.length && <option value="">{t('common.no_occasions')}</option>}
          {occasions.value.map((x) => <option value={x.id} key={x.id}>{x.name}</option>)}
        </select>
      </label>
    </div>
  );
}

/** One polite live region for the whole app; errors are assertive. Keyed by seq so a repeat is read again. */
export function StatusLine() {
  const s = status.value;
  return (
    <div class="status-line">
      <p role="status" aria-live="polite" aria-atomic="true" class="status info">{s && s.kind === 'info' ? <span key={s.seq}>{s.text}</span> : null}</p>
      <p role="alert" aria-live="assertive" aria-atomic="true" class="status error">{s && s.kind === 'error' ? <span key={s.seq}>{s.text}</span> : null}</p>
    </div>
  );
}
