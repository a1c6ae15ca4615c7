// The console's one string catalogue, split by screen: each file under strings/ exports `en` and `es` with the same
// keys (the compiler checks it: `es` is typed by `en`'s keys; strings.test.ts checks it again, and that no key is in
// two files). A new screen adds its file here; keys start with the file's prefix ("guests.", "devices.", …).
import * as auth from './auth';
import * as common from './common';
import * as errors from './errors';
import * as guest from './guest';
import * as guests from './guests';
import * as occasions from './occasions';
import * as partB from './part-b';

export const SCREENS = { common, errors, auth, occasions, guests, guest, partB } as const;

export const CATALOGUES = {
  en: { ...common.en, ...errors.en, ...auth.en, ...occasions.en, ...guests.en, ...guest.en, ...partB.en },
  es: { ...common.es, ...errors.es, ...auth.es, ...occasions.es, ...guests.es, ...guest.es, ...partB.es },
};

export type Lang = keyof typeof CATALOGUES;
export const LANGS: readonly Lang[] = ['es', 'en'];
export type StringKey = keyof typeof CATALOGUES.en;
