// t(key, vars): the current language's string for a key, with {name} placeholders filled. Reading it while rendering
// subscribes the component to the language, so the switch re-renders every label.
import { CATALOGUES, type StringKey } from './strings';
import { lang } from './state';

export type { StringKey } from './strings';

export function t(key: StringKey, vars: Record<string, string | number> = {}): string {
  const text = CATALOGUES[lang.value][key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** A number as the language writes it (20.000 / 20,000). */
export function num(n: number): string {
  return n.toLocaleString(lang.value === 'es' ? 'es-ES' : 'en-GB');
}

/** A moment as the language writes it, in a time zone (the occasion's) when given. */
export function dateTime(iso: string, timeZone?: string): string {
  return new Date(iso).toLocaleString(lang.value === 'es' ? 'es-ES' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', ...(timeZone ? { timeZone } : {}) });
}
