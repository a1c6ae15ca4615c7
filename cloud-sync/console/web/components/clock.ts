// Time as the pages say it: a clock that ticks (so "updated 4 s ago" counts on its own), durations in words
// ("12 min", "1 h 5 min"), ages ("12 min ago") and a time of day in a zone (the occasion's).
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import { lang } from '../state';

/** Date.now(), re-rendering the component every `everyMs`. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** "8 s", "12 min", "1 h 5 min", "3 d". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t('clock.seconds', { n: s });
  if (s < 3600) return t('clock.minutes', { n: Math.floor(s / 60) });
  if (s < 86_400) {
    const m = Math.floor((s % 3600) / 60);
    return m ? t('clock.hours_minutes', { h: Math.floor(s / 3600), m }) : t('clock.hours', { n: Math.floor(s / 3600) });
  }
  return t('clock.days', { n: Math.floor(s / 86_400) });
}

/** "12 min ago" (a moment in the future, as a skewed clock may give, reads as "just now"). */
export function ago(seconds: number): string {
  return seconds < 1 ? t('clock.just_now') : t('clock.ago', { d: duration(seconds) });
}

/** "21:07" in a zone, as the language writes it. */
export function clockTime(iso: string, timeZone?: string): string {
  return new Date(iso).toLocaleTimeString(lang.value === 'es' ? 'es-ES' : 'en-GB', { hour: '2-digit', minute: '2-digit', ...(timeZone ? { timeZone } : {}) });
}
