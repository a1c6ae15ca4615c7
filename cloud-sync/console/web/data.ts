// Loading what the pages show into state.ts: venues, the chosen venue's occasions, the chosen occasion's guest list.
// Each loader keeps the state consistent (a chosen id that no longer exists falls back to the first one).
import { api, ApiError } from './api';
import { t } from './i18n';
import { CATALOGUES } from './strings';
import {
  announce, chooseOccasion, chooseVenue, clearSession, guestList, occasionId, occasions, session, setGuestList, venueId, venues,
} from './state';

/** What the page says for a failed request, in the current language. */
export function errorText(e: unknown): string {
  if (!(e instanceof ApiError)) return t('error.unexpected', { status: (e as Error)?.message ?? '?' });
  switch (e.code) {
    case 'bad_request':
      return t('error.bad_request', { message: e.message });
    case 'login_locked':
      return t('error.login_locked', { seconds: e.retryAfterS ?? 60 });
    case 'unexpected':
      return t('error.unexpected', { status: e.status });
    default: {
      // A code this page does not know (a newer server) still says something: the server's own words.
      const key = `error.${e.code}` as const;
      return key in CATALOGUES.en ? t(key) : e.message || t('error.unexpected', { status: e.status });
    }
  }
}

export async function loadSession(): Promise<void> {
  try {
    session.value = await api.session();
  } catch (e) {
    if (e instanceof ApiError && e.code === 'no_session') session.value = null;
    else {
      session.value = null;
      announce(errorText(e), 'error');
    }
  }
}

export async function signOut(): Promise<void> {
  try {
    await api.logout();
  } catch {
    // Signed out or not, the page forgets the session.
  }
  clearSession();
  announce(t('auth.signed_out'));
}

export async function loadVenues(): Promise<void> {
  const { venues: list } = await api.venues();
  venues.value = list;
  // The header's venue picker loads the chosen venue's occasions whenever the choice changes (layout.tsx).
  if (!list.some((v) => v.id === venueId.value)) chooseVenue(list[0]?.id ?? null);
}

export async function loadOccasions(): Promise<void> {
  const id = venueId.value;
  if (!id) {
    occasions.value = [];
    chooseOccasion(null);
    return;
  }
  const { occasions: list } = await api.occasions(id);
  if (venueId.value !== id) return; // another venue was chosen meanwhile
  occasions.value = list;
  if (!list.some((o) => o.id === occasionId.value)) chooseOccasion(list[0]?.id ?? null);
}

/** The chosen occasion's guests; kept until the occasion changes or `force` (after an import or an edit). */
export async function loadGuestList(force = false): Promise<void> {
  const id = occasionId.value;
  if (!id) return;
  if (!force && guestList.value?.list.occasion_id === id) return;
  const list = await api.guestList(id);
  if (occasionId.value === id) setGuestList(list);
}
