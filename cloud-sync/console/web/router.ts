// Hash routing: the page's address after '#' ("#/guests?q=jose", "#/guest/g_1", "#/set-password/TOKEN"). A
// fragment never reaches the server or its logs, which is why a set-password token travels there.
import { signal } from '@preact/signals';

export interface Location {
  /** "/guests", "/guest/g_1". */
  path: string;
  query: URLSearchParams;
}

export function parseHash(hash: string): Location {
  const raw = hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  const path = (q >= 0 ? raw.slice(0, q) : raw) || '/';
  return { path: path.startsWith('/') ? path : `/${path}`, query: new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '') };
}

export const location = signal<Location>(parseHash(typeof window === 'undefined' ? '' : window.location.hash));

export function startRouter(): void {
  window.addEventListener('hashchange', () => {
    location.value = parseHash(window.location.hash);
  });
}

/** Goes to a page ("/guests"); `replace` keeps the current entry out of the history (a used token, a filter). */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const hash = `#${to}`;
  if (opts.replace) {
    history.replaceState(null, '', hash);
    location.value = parseHash(hash);
  } else if (window.location.hash !== hash) {
    window.location.hash = hash;
  }
}

/**
 * Rewrites the address without going anywhere: the page that owns the change (a filter typed in the guest list) has
 * already rendered it, so the location signal is left alone and the app around the page is not rendered again on
 * every keystroke. A later hashchange (a link, Back) brings the signal up to date.
 */
export function replaceAddress(to: string): void {
  history.replaceState(null, '', `#${to}`);
}

export const href = (to: string) => `#${to}`;

/** Matches "/guest/:id" against "/guest/g_1" → {id: "g_1"}; null when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const ps = pattern.split('/').filter(Boolean);
  const xs = path.split('/').filter(Boolean);
  if (ps.length !== xs.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i] as string;
    const x = xs[i] as string;
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(x);
      } catch {
        return null;
      }
    } else if (p !== x) return null;
  }
  return params;
}
