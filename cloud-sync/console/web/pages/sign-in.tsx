// Sign-in: e-mail and password. A wrong pair, a locked sign-in ("try again in N s", counting down) and a silent
// server each get their own sentence. Afterwards the person is on the page they asked for (or the guest list).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { described, Field, FormError } from '../components/field';
import { errorText } from '../data';
import { t } from '../i18n';
import { location, navigate } from '../router';
import { HOME, type PageProps } from '../routes';
import { announce, session } from '../state';

export function SignInPage(_props: PageProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    if (lockedUntil === null) return;
    const timer = setInterval(() => {
      const n = Date.now();
      setNow(n);
      if (n >= lockedUntil) {
        setLockedUntil(null);
        setError(null);
      }
    }, 1000);
    return () => clearInterval(timer);
  }, [lockedUntil]);

  const lockedFor = lockedUntil === null ? 0 : Math.max(1, Math.ceil((lockedUntil - now) / 1000));

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!email.trim() || !password) {
      setError(t('auth.fill_both'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const info = await api.login({ email: email.trim(), password });
      session.value = info;
      announce(t('auth.signed_in'));
      if (location.value.path === '/sign-in' || location.value.path === '/') navigate(HOME, { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'login_locked') {
        const until = Date.now() + (err.retryAfterS ?? 60) * 1000;
        setNow(Date.now());
        setLockedUntil(until);
      }
      setError(errorText(err));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card narrow" aria-labelledby="page-title">
      <h1 id="page-title">{t('auth.sign_in_title')}</h1>
      <form onSubmit={submit} noValidate>
        <Field id="signin-email" label={t('auth.email')}>
          <input {...described('signin-email')} type="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </Field>
        <Field id="signin-password" label={t('auth.password')}>
          <input {...described('signin-password')} type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </Field>
        <FormError text={lockedUntil !== null ? t('error.login_locked', { seconds: lockedFor }) : error} />
        <button class="primary" type="submit" disabled={busy || lockedUntil !== null}>{busy ? t('auth.signing_in') : t('auth.sign_in')}</button>
      </form>
    </section>
  );
}
