// The console's one string catalogue, split by screen: each file under strings/ exports `en` and `es` with the same
// keys (the compiler checks it: `es` is typed by `en`'s keys; strings.test.ts checks it again, and that no key is in
// two files). A new screen adds its file here; keys start with the file's prefix ("guests.", "devices.", …).
import * as account from './account';
import * as audit from './audit';
import * as auth from './auth';
import * as clock from './clock';
import * as common from './common';
import * as copy from './copy';
import * as devices from './devices';
import * as errors from './errors';
import * as guest from './guest';
import * as guests from './guests';
import * as live from './live';
import * as occasions from './occasions';
import * as team from './team';
import * as designer from './designer';
import * as seating from './seating';
import * as print from './print';

export const SCREENS = { common, errors, auth, occasions, guests, guest, clock, copy, devices, live, audit, account, team, designer, seating, print } as const;

export const CATALOGUES = {
  en: { ...common.en, ...errors.en, ...auth.en, ...occasions.en, ...guests.en, ...guest.en, ...clock.en, ...copy.en,
    ...devices.en, ...live.en, ...audit.en, ...account.en, ...team.en, ...designer.en, ...seating.en, ...print.en },
  es: { ...common.es, ...errors.es, ...auth.es, ...occasions.es, ...guests.es, ...guest.es, ...clock.es, ...copy.es,
    ...devices.es, ...live.es, ...audit.es, ...account.es, ...team.es, ...designer.es, ...seating.es, ...print.es },
};

export type Lang = keyof typeof CATALOGUES;
export const LANGS: readonly Lang[] = ['es', 'en'];
export type StringKey = keyof typeof CATALOGUES.en;
