// The signed-in account: who it is, its open sessions (when each began and was last used, from which browser and
// address, which one is this), ending one of them, and signing out everywhere (this browser included).
import { useEffect, useState } from 'preact/hooks';
import type { SessionRow } from '../../../../core/console/auth';
import { api } from '../api';
import { ago, useNow } from '../components/clock';
import { Dialog } from '../components/dialog';
import { FormError } from '../components/field';
import { shortAgent } from '../components/user-agent';
import { errorText } from '../data';
import { dateTime, t } from '../i18n';
import { navigate } from '../router';
import type { PageProps } from '../routes';
import { announce, clearSession, session } from '../state';

export function AccountPage(_props: PageProps) {
  const me = session.value!.account;
  const [sessions, setSessions] = useState<SessionRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [everywhere, setEverywhere] = useState(false);
  const now = useNow(10_000);

  const load = async () => {
    try {
      setSessions((await api.sessions()).sessions);
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const revoke = async (s: SessionRow) => {
    setBusy(s.id);
    try {
      await api.revokeSession(s.id);
      announce(t('account.revoked', { browser: browserOf(s) }));
      await load();
      // The list re-rendered without the row: keep the keyboard on the page, not on a removed button.
      document.getElementById('account-sessions')?.focus();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t('account.title')}</h1>
      <dl class="pairs">
        <div><dt>{t('account.email')}</dt><dd>{me.email}</dd></div>
        <div><dt>{t('account.role')}</dt><dd>{t(`role.${me.role}`)}</dd></div>
        <div><dt>{t('account.tenant')}</dt><dd>{me.tenant_name}</dd></div>
      </dl>
      <h2 id="account-sessions" tabIndex={-1}>{t('account.sessions')}</h2>
      <p class="muted">{t('account.sessions_intro')}</p>
      <FormError text={error} />
      {sessions === null ? <p>{t('common.loading')}</p> : (
        <table class="plain sessions">
          <caption class="sr-only">{t('account.sessions')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('account.col.browser')}</th>
              <th scope="col">{t('account.col.started')}</th>
              <th scope="col">{t('account.col.last_seen')}</th>
              <th scope="col">{t('account.col.address')}</th>
              <th scope="col"><span class="sr-only">{t('account.col.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.id} data-session={s.id} data-current={s.current ? 'true' : undefined}>
                <th scope="row" title={s.user_agent ?? undefined}>{browserOf(s)}</th>
                <td>{dateTime(s.created_at)}</td>
                <td>{ago((now - Date.parse(s.last_seen_at)) / 1000)}<span class="muted small block">{dateTime(s.last_seen_at)}</span></td>
                <td>{s.source ?? <span class="muted">—</span>}</td>
                <td>
                  {s.current ? <span class="badge current">{t('account.this_session')}</span> : (
                    <button type="button" disabled={busy === s.id} onClick={() => void revoke(s)} aria-label={t('account.revoke_named', { browser: browserOf(s), started: dateTime(s.created_at) })}>
                      {t('account.revoke')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="actions"><button type="button" class="danger" onClick={() => setEverywhere(true)}>{t('account.everywhere')}</button></p>
      {everywhere && <EverywhereDialog onClose={() => setEverywhere(false)} />}
    </section>
  );
}

function browserOf(s: SessionRow): string {
  const a = shortAgent(s.user_agent);
  if (a.browser && a.system) return t('account.browser_on', { browser: a.browser, system: a.system });
  return a.browser ?? a.system ?? t('account.unknown_browser');
}

function EverywhereDialog(props: { onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const go = async () => {
    setBusy(true);
    try {
      await api.logoutEverywhere();
      clearSession();
      navigate('/sign-in', { replace: true });
      announce(t('account.everywhere_done'));
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('account.everywhere_title')} onClose={props.onClose}>
      <p>{t('account.everywhere_explain')}</p>
      <FormError text={error} />
      <div class="actions">
        <button type="button" class="danger confirm" disabled={busy} onClick={() => void go()}>{t('account.everywhere_confirm')}</button>
        <button type="button" onClick={props.onClose} data-autofocus>{t('common.cancel')}</button>
      </div>
    </Dialog>
  );
}
