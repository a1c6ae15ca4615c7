// The tenant's accounts (owners only): invite someone (their set-password link is shown once, to copy and send),
// change a role, disable or enable an account, and issue a fresh link for a forgotten password or a lapsed invitation.
import { useEffect, useState } from 'preact/hooks';
import type { AccountPatch, AccountRow, PasswordLink } from '../../../../core/console/auth';
import type { ConsoleRole } from '../../../../core/console/roles';
import { api, ApiError } from '../api';
import { CopyButton } from '../components/copy';
import { Dialog } from '../components/dialog';
import { described, Field, FormError } from '../components/field';
import { errorText } from '../data';
import { dateTime, t } from '../i18n';
import type { PageProps } from '../routes';
import { announce, session } from '../state';

const ROLES: readonly ConsoleRole[] = ['owner', 'planner', 'viewer'];
const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function TeamPage(_props: PageProps) {
  const [accounts, setAccounts] = useState<AccountRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [link, setLink] = useState<PasswordLink | null>(null);
  const [disabling, setDisabling] = useState<AccountRow | null>(null);

  const load = async () => {
    try {
      setAccounts((await api.accounts()).accounts);
    } catch (e) {
      setError(errorText(e));
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const patch = async (a: AccountRow, body: AccountPatch) => {
    setError(null);
    try {
      const row = await api.patchAccount(a.id, body);
      setAccounts((list) => list?.map((x) => (x.id === row.id ? row : x)) ?? null);
      announce(body.role ? t('team.role_changed', { email: a.email, role: t(`role.${row.role}`) }) : t(row.disabled ? 'team.disabled_done' : 'team.enabled_done', { email: a.email }));
      return true;
    } catch (e) {
      const others = (accounts ?? []).filter((x) => x.id !== a.id && x.role === 'owner' && !x.disabled).length;
      setError(e instanceof ApiError && e.code === 'conflict' && a.role === 'owner' && others === 0 ? t('team.last_owner', { email: a.email }) : errorText(e));
      // The select shows what the server holds, not the refused choice.
      await load();
      return false;
    }
  };

  const newLink = async (a: AccountRow) => {
    setError(null);
    try {
      setLink(await api.accountLink(a.id));
      announce(t('team.link_ready', { email: a.email }));
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t('team.title')}</h1>
      <InviteForm onInvited={(l) => { setLink(l); void load(); }} />
      {link && <LinkPanel link={link} onDone={() => setLink(null)} />}
      <h2>{t('team.accounts')}</h2>
      <FormError text={error} />
      {accounts === null ? <p>{t('common.loading')}</p> : (
        <table class="plain team">
          <caption class="sr-only">{t('team.accounts')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('team.email')}</th>
              <th scope="col">{t('team.role')}</th>
              <th scope="col">{t('team.status')}</th>
              <th scope="col">{t('team.created')}</th>
              <th scope="col"><span class="sr-only">{t('team.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {accounts.map((a) => {
              const me = a.id === session.value?.account.id;
              return (
                <tr key={a.id} data-account={a.email}>
                  <th scope="row">{a.email}{me && <span class="badge">{t('team.you')}</span>}</th>
                  <td>
                    <select aria-label={t('team.role_of', { email: a.email })} value={a.role} disabled={a.disabled}
                      onChange={(e) => void patch(a, { role: e.currentTarget.value as ConsoleRole })}>
                      {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
                    </select>
                  </td>
                  <td>{t(a.disabled ? 'team.state.disabled' : a.password_set ? 'team.state.active' : 'team.state.invited')}</td>
                  <td>{dateTime(a.created_at)}</td>
                  <td class="actions">
                    {!a.disabled && <button type="button" onClick={() => void newLink(a)} aria-label={t('team.new_link_for', { email: a.email })}>{t('team.new_link')}</button>}
                    {a.disabled
                      ? <button type="button" onClick={() => void patch(a, { disabled: false })} aria-label={t('team.enable_named', { email: a.email })}>{t('team.enable')}</button>
                      : <button type="button" class="danger" onClick={() => setDisabling(a)} aria-label={t('team.disable_named', { email: a.email })}>{t('team.disable')}</button>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {disabling && (
        <Dialog title={t('team.disable_title', { email: disabling.email })} onClose={() => setDisabling(null)}>
          <p>{t('team.disable_explain')}</p>
          <div class="actions">
            <button type="button" class="danger confirm" onClick={() => { const a = disabling; setDisabling(null); void patch(a, { disabled: true }); }}>{t('team.disable')}</button>
            <button type="button" onClick={() => setDisabling(null)} data-autofocus>{t('common.cancel')}</button>
          </div>
        </Dialog>
      )}
    </section>
  );
}

function InviteForm(props: { onInvited: (link: PasswordLink) => void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<ConsoleRole>('planner');
  const [emailError, setEmailError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const address = email.trim();
    setError(null);
    if (!EMAIL.test(address)) {
      setEmailError(t('team.need_email'));
      document.getElementById('invite-email')?.focus();
      return;
    }
    setEmailError(null);
    setBusy(true);
    try {
      const link = await api.invite({ email: address, role });
      setEmail('');
      announce(t('team.invited', { email: link.email }));
      props.onInvited(link);
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'conflict' ? t('team.email_taken', { email: address }) : errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card invite" onSubmit={submit} noValidate aria-labelledby="invite-title">
      <h2 id="invite-title">{t('team.invite')}</h2>
      <div class="row">
        <Field id="invite-email" label={t('team.email')} error={emailError}>
          <input {...described('invite-email', emailError)} type="email" autocomplete="off" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </Field>
        <Field id="invite-role" label={t('team.role')}>
          <select {...described('invite-role')} value={role} onChange={(e) => setRole(e.currentTarget.value as ConsoleRole)}>
            {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
          </select>
        </Field>
      </div>
      <p class="muted small">{t('team.roles_help')}</p>
      <FormError text={error} />
      <button type="submit" class="primary" disabled={busy}>{busy ? t('common.saving') : t('team.invite_send')}</button>
    </form>
  );
}

function LinkPanel(props: { link: PasswordLink; onDone: () => void }) {
  // Shown once: take the keyboard (and a screen reader) there as it appears.
  useEffect(() => {
    document.getElementById('link-title')?.focus();
  }, [props.link.link]);
  return (
    <div class="link-panel" role="region" aria-labelledby="link-title">
      <h2 id="link-title" tabIndex={-1}>{t('team.link_title', { email: props.link.email })}</h2>
      <p>{t('team.link_explain', { expires: dateTime(props.link.expires_at) })}</p>
      <div class="command-row">
        <input id="team-link" class="command" readOnly value={props.link.link} aria-label={t('team.link_label', { email: props.link.email })} onFocus={(e) => e.currentTarget.select()} />
        <CopyButton text={props.link.link} label={t('team.link_copy')} selectId="team-link" />
      </div>
      <button type="button" onClick={props.onDone}>{t('team.link_done')}</button>
    </div>
  );
}
