// The catalogue: every screen's file has the same keys in es and en, each key lives in one file only (a second one
// would silently win in the merge), carries its file's prefix, and every {placeholder} is in both languages.
import { describe, expect, it } from 'vitest';
import { CATALOGUES, SCREENS as EAGER } from './index';
import { LAZY_SCREENS } from './lazy';

// The lazy screens' import above has added them to CATALOGUES, as their chunk does in the page.
const SCREENS = { ...EAGER, ...LAZY_SCREENS };

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the console string catalogue', () => {
  for (const [name, screen] of Object.entries(SCREENS)) {
    it(`${name}: es and en have the same keys, none empty`, () => {
      const en = screen.en as Record<string, string>;
      const es = screen.es as Record<string, string>;
      expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
      for (const k of Object.keys(en)) {
        expect(en[k]?.trim(), `en ${k}`).toBeTruthy();
        expect(es[k]?.trim(), `es ${k}`).toBeTruthy();
        expect(placeholders(es[k] as string), `placeholders of ${k}`).toEqual(placeholders(en[k] as string));
      }
    });
  }

  it('no key is in two screens, and the merged catalogues match', () => {
    const seen = new Map<string, string>();
    for (const [name, screen] of Object.entries(SCREENS)) {
      for (const k of Object.keys(screen.en)) {
        expect(seen.get(k), `${k} is in ${seen.get(k)} and ${name}`).toBeUndefined();
        seen.set(k, name);
      }
    }
    expect(Object.keys(CATALOGUES.en).sort()).toEqual([...seen.keys()].sort());
    expect(Object.keys(CATALOGUES.es).sort()).toEqual([...seen.keys()].sort());
  });

  it('each key starts with a prefix of its own screen', () => {
    const prefixes = new Map<string, Set<string>>();
    for (const [name, screen] of Object.entries(SCREENS)) {
      prefixes.set(name, new Set(Object.keys(screen.en).map((k) => k.split('.')[0] as string)));
    }
    const owners = new Map<string, string>();
    for (const [name, set] of prefixes) {
      for (const p of set) {
        expect(owners.get(p), `prefix ${p} is used by ${owners.get(p)} and ${name}`).toBeUndefined();
        owners.set(p, name);
      }
    }
  });
});
