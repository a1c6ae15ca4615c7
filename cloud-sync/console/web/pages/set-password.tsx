// Choosing a password from an invitation or reset link (#/set-password/TOKEN): the link is checked first and names
// the account, then two fields with the rule stated; once set, the person is signed in and the token leaves the
// address bar and the history.
import { useEffect, useState } from 'preact/hooks';
import type { PasswordLinkInfo } from '../../../../core/console/auth';
import { api, ApiError } from '../api';
import { described, Field, FormError } from '../components/field';
import { errorText } from '../data';
import { dateTime, t } from '../i18n';
import { href, navigate } from '../router';
import { HOME, type PageProps } from '../routes';
import { announce, session } from '../state';

const MIN = 10;
const MAX = 200;

export function SetPasswordPage(props: PageProps) {
  const token = props.params.token ?? '';
  const [link, setLink] = useState<PasswordLinkInfo | null>(null);
  const [linkError, setLinkError] = useState<string | null>(null);
  const [pw, setPw] = useState('');
  const [again, setAgain] = useState('');
  const [errors, setErrors] = useState<{ pw?: string; again?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    setLink(null);
    setLinkError(null);
    api.passwordLink(token).then(
      (info) => live && setLink(info),
      (e) => live && setLinkError(e instanceof ApiError && (e.code === 'not_found' || e.code === 'bad_request') ? t('auth.link_unknown') : errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [token]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const next: typeof errors = {};
    if ([...pw].length < MIN) next.pw = t('auth.too_short');
    else if ([...pw].length > MAX) next.pw = t('auth.too_long');
    if (!next.pw && pw !== again) next.again = t('auth.mismatch');
    setErrors(next);
    if (next.pw || next.again) {
      document.getElementById(next.pw ? 'setpw-new' : 'setpw-again')?.focus();
      return;
    }
    setBusy(true);
    try {
      session.value = await api.setPassword({ token, password: pw });
      announce(t('auth.signed_in'));
      navigate(HOME, { replace: true });
    } catch (err) {
      setErrors({ form: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card narrow" aria-labelledby="page-title">
      <h1 id="page-title">{t('auth.set_password_title')}</h1>
      {!link && !linkError && <p>{t('auth.checking_link')}</p>}
      {linkError && (
        <>
          <p class="form-error" role="alert">{linkError}</p>
          <p><a href={href('/sign-in')}>{t('auth.go_sign_in')}</a></p>
        </>
      )}
      {link && (
        <form onSubmit={submit} noValidate>
          <p data-testid="link-account">{t('auth.set_password_for', { email: link.email, tenant: link.tenant_name, expires: dateTime(link.expires_at) })}</p>
          <input type="email" autocomplete="username" value={link.email} readOnly hidden />
          <Field id="setpw-new" label={t('auth.new_password')} hint={t('auth.password_rules')} error={errors.pw ?? null}>
            <input {...described('setpw-new', errors.pw, true)} type="password" autocomplete="new-password" minLength={MIN} maxLength={MAX} value={pw} onInput={(e) => setPw(e.currentTarget.value)} />
          </Field>
          <Field id="setpw-again" label={t('auth.repeat_password')} error={errors.again ?? null}>
            <input {...described('setpw-again', errors.again)} type="password" autocomplete="new-password" value={again} onInput={(e) => setAgain(e.currentTarget.value)} />
          </Field>
          <FormError text={errors.form ?? null} />
          <button class="primary" type="submit" disabled={busy}>{t('auth.set_password')}</button>
        </form>
      )}
    </section>
  );
}
