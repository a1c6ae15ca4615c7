// The application: asks who is signed in, then shows the page the address names, inside the layout unless the page
// is public or bare (a print page). Without a session every page but the public ones shows sign-in (and returns there afterwards).
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { may } from '../../../core/console/roles';
import { errorText, loadVenues } from './data';
import { t } from './i18n';
import { Layout, StatusLine } from './layout';
import { location, match } from './router';
import { ROUTES, type RouteDef } from './routes';
import { announce, lang, session } from './state';
import { SignInPage } from './pages/sign-in';

function resolve(path: string): { route: RouteDef; params: Record<string, string> } | null {
  for (const route of ROUTES) {
    const params = match(route.pattern, path);
    if (params) return { route, params };
  }
  return null;
}

export function App() {
  const s = session.value;
  const loc = location.value;
  const l = lang.value;
  useEffect(() => {
    document.documentElement.lang = l;
  }, [l]);
  const accountId = s?.account.id;
  useEffect(() => {
    if (accountId) loadVenues().catch((e) => announce(errorText(e), 'error'));
  }, [accountId]);

  const found = resolve(loc.path === '/' ? '/guests' : loc.path);
  if (found?.route.public) {
    const Page = found.route.page;
    return <Bare><Page params={found.params} query={loc.query} /></Bare>;
  }
  if (s === undefined) return <Bare><p class="loading">{t('common.loading')}</p></Bare>;
  if (s === null) return <Bare><SignInPage params={{}} query={loc.query} /></Bare>;
  if (!found) return <Layout><h1>{t('common.not_found')}</h1></Layout>;
  if (!may(s.account.role, found.route.permission ?? 'read')) return <Layout><h1>{t('common.forbidden_page')}</h1></Layout>;
  const Page = found.route.page;
  if (found.route.bare) return <Bare><Page params={found.params} query={loc.query} /></Bare>;
  return <Layout><Page params={found.params} query={loc.query} /></Layout>;
}

function Bare(props: { children: ComponentChildren }) {
  return (
    <div class="bare">
      <main id="main" tabIndex={-1}>{props.children}</main>
      <StatusLine />
    </div>
  );
}
