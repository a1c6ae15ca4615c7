// A page whose code is a chunk of its own (assets.ts splits the bundle at these imports): loaded the first time the
// page is opened, "Loading…" meanwhile, and a plain error with a way out when the chunk cannot be fetched.
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from './i18n';
import type { PageProps } from './routes';

export function lazyPage(load: () => Promise<ComponentType<PageProps>>): ComponentType<PageProps> {
  let loaded: ComponentType<PageProps> | null = null;
  let pending: Promise<ComponentType<PageProps>> | null = null;
  return function LazyPage(props: PageProps) {
    const [page, setPage] = useState<ComponentType<PageProps> | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (page) return;
      let live = true;
      pending ??= load().then((p) => (loaded = p));
      pending.then(
        (p) => live && setPage(() => p),
        () => {
          pending = null;
          if (live) setFailed(true);
        },
      );
      return () => {
        live = false;
      };
    }, [page]);
    if (failed) return <p role="alert">{t('common.page_failed')}</p>;
    if (!page) return <p class="loading">{t('common.loading')}</p>;
    const Page = page;
    return <Page {...props} />;
  };
}
