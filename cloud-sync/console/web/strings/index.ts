// The console's one string catalogue, split by screen: each file under strings/ exports `en` and `es` with the same
// keys (the compiler checks it: `es` is typed by `en`'s keys; strings.test.ts checks it again, and that no key is in
// two files). A new screen adds its file here; keys start with the file's prefix ("guests.", "devices.", …).
import * as account from './account';
import * as audit from './audit';
import * as auth from './auth';
import * as clock from './clock';
import * as common from './common';
import * as copy from './copy';
import * as desk from './desk';
import * as devices from './devices';
import * as errors from './errors';
import * as guest from './guest';
import * as guests from './guests';
import * as live from './live';
import * as occasions from './occasions';
import * as team from './team';
// The designer's, seating chart's and print pages' strings travel in their chunk (routes.tsx loads those pages
// lazily): only their types are imported here; strings/lazy.ts adds them to the catalogue when the chunk loads.
import type * as designer from './designer';
import type * as seating from './seating';
import type * as print from './print';

export const SCREENS = { common, errors, auth, occasions, guests, guest, clock, copy, devices, live, desk, audit, account, team } as const;

const eager = {
  en: { ...common.en, ...errors.en, ...auth.en, ...occasions.en, ...guests.en, ...guest.en, ...clock.en, ...copy.en,
    ...devices.en, ...live.en, ...desk.en, ...audit.en, ...account.en, ...team.en },
  es: { ...common.es, ...errors.es, ...auth.es, ...occasions.es, ...guests.es, ...guest.es, ...clock.es, ...copy.es,
    ...devices.es, ...live.es, ...desk.es, ...audit.es, ...account.es, ...team.es },
};

export type Lang = keyof typeof eager;
export const LANGS: readonly Lang[] = ['es', 'en'];
export type StringKey = keyof typeof eager.en | keyof typeof designer.en | keyof typeof seating.en | keyof typeof print.en;

/** Every string known so far; a lazy screen's keys are there once its chunk has loaded (addScreen). */
export const CATALOGUES = eager as unknown as Record<Lang, Record<StringKey, string>>;

/** A screen's strings from a chunk, added to the catalogue before its page first renders. */
export function addScreen(screen: { en: Record<string, string>; es: Record<string, string> }): void {
  Object.assign(CATALOGUES.en, screen.en);
  Object.assign(CATALOGUES.es, screen.es);
}
