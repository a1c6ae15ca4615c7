// t(key, vars): the current language's string for a key, with {name} placeholders filled. Reading it while rendering
// subscribes the component to the language, so the switch re-renders every label.
import { CATALOGUES, type StringKey } from './strings';
import { lang } from './state';

export type { StringKey } from './strings';

export function t(key: StringKey, vars: Record<string, string | number> = {}): string {
  // A lazy page's key before its chunk has loaded: the key itself, never a crash.
  const text = CATALOGUES[lang.value][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

// Formatters are made once per language (and zone): toLocaleString builds a new one on every call, which a grid of
// rows re-rendered on every keystroke pays for dozens of times.
const numbers = new Map<string, Intl.NumberFormat>();
const moments = new Map<string, Intl.DateTimeFormat>();
const localeOf = () => (lang.value === 'es' ? 'es-ES' : 'en-GB');

/** A number as the language writes it (20.000 / 20,000). */
export function num(n: number): string {
  const locale = localeOf();
  let f = numbers.get(locale);
  if (!f) numbers.set(locale, (f = new Intl.NumberFormat(locale)));
  return f.format(n);
}

/** A moment as the language writes it, in a time zone (the occasion's) when given. */
export function dateTime(iso: string, timeZone?: string): string {
  const locale = localeOf();
  const key = `${locale} ${timeZone ?? ''}`;
  let f = moments.get(key);
  if (!f) moments.set(key, (f = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', ...(timeZone ? { timeZone } : {}) })));
  return f.format(new Date(iso));
}
