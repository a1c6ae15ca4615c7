// Wall-clock times in an occasion's time zone: what a planner types ("31 Dec, 19:00" in Europe/Madrid) to the RFC
// 3339 instant the API stores (2026-12-31T19:00:00+01:00) and back, with the zone's offset on that very day (summer
// time included). Pure, from Intl alone.

/** A zone's offset from UTC in minutes at an instant (+60 for Madrid in winter). */
export function offsetMinutes(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
}

export function isTimeZone(tz: string): boolean {
  if (!tz.trim()) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** "+01:00", "-05:00", "+05:30". */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const m = Math.abs(minutes);
  return `${sign}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

export type ZonedResult = { ok: true; iso: string; offset: string } | { ok: false; reason: 'invalid' | 'nonexistent' };

/**
 * A datetime-local value ("2026-12-31T19:00") read in a zone, as an RFC 3339 string with the zone's offset then.
 * A time the clocks skip (spring forward) is `nonexistent`; one they pass twice (fall back) is the first of the two.
 */
export function zonedToInstant(local: string, timeZone: string): ZonedResult {
  const m = LOCAL.exec(local);
  if (!m || !isTimeZone(timeZone)) return { ok: false, reason: 'invalid' };
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  if (new Date(wall).getUTCDate() !== d || mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59) return { ok: false, reason: 'invalid' };
  // The offsets just before and after the wall time: the answer uses one of them; the earlier instant wins a tie.
  const candidates = [...new Set([offsetMinutes(wall - 86_400_000, timeZone), offsetMinutes(wall + 86_400_000, timeZone), offsetMinutes(wall, timeZone)])]
    .map((off) => ({ off, at: wall - off * 60_000 }))
    .filter((c) => offsetMinutes(c.at, timeZone) === c.off)
    .sort((a, b) => a.at - b.at);
  const hit = candidates[0];
  if (!hit) return { ok: false, reason: 'nonexistent' };
  const offset = formatOffset(hit.off);
  return { ok: true, iso: `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${offset}`, offset };
}

/** An instant as a datetime-local value in a zone ("2026-12-31T19:00"). */
export function instantToZoned(iso: string, timeZone: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms) || !isTimeZone(timeZone)) return '';
  const local = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes(ms, timeZone) * 60_000);
  return local.toISOString().slice(0, 16);
}

/** Zones planners pick most, offered in a datalist; any IANA name is accepted. */
export const COMMON_TIME_ZONES = [
  'Europe/Madrid', 'Atlantic/Canary', 'Europe/Lisbon', 'Europe/London', 'Europe/Paris', 'Europe/Berlin', 'Europe/Rome',
  'Europe/Amsterdam', 'Europe/Brussels', 'Europe/Zurich', 'Europe/Athens', 'America/Mexico_City', 'America/Bogota',
  'America/Lima', 'America/Santiago', 'America/Argentina/Buenos_Aires', 'America/Sao_Paulo', 'America/Caracas',
  'America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'America/Puerto_Rico',
  'Asia/Dubai', 'Asia/Tokyo', 'Australia/Sydney', 'UTC',
] as const;
