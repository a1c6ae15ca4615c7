// Hybrid logical clocks for the venue desk's seat decisions (issue 20, part 3): who wins when the console and the hub
// moved the same guest, or changed the same party, while the internet was down.
//
// The rule, written down once (README "Moves made on both sides of a cut"):
//   - Every decision about a guest's table or party size carries an HLC: `<ms>.<counter>.<origin>`, ms the decider's
//     wall clock in 13 digits, counter 4 digits, origin `c` (cloud: console, CLI, engine) or `v` (venue: hub, tablet,
//     kiosk staff mode).
//   - A new decision ticks past both the decider's clock and the HLC of the decision it replaces (so a decision made
//     after seeing another is always later, whatever the two clocks say).
//   - Of two decisions about the same field of the same guest, the one with the greater HLC wins; plain string order is
//     that order: ms, then counter, then origin, and `v` > `c`, so the venue's decision wins a tie.
//   - A decision is concurrent with the current one when it was made from another state (its `from` value is not the
//     current value). The loser of a concurrent pair is kept and shown to the planner, never dropped.
import { Type, type Static } from '@sinclair/typebox';

export const HlcSchema = Type.String({ pattern: '^[0-9]{13}\\.[0-9]{4}\\.[cv]$', maxLength: 20 });
export type Hlc = Static<typeof HlcSchema>;

export type HlcOrigin = 'cloud' | 'venue';

const ORIGIN_CODE: Record<HlcOrigin, 'c' | 'v'> = { cloud: 'c', venue: 'v' };
const MAX_COUNTER = 9999;
const HLC_RE = /^([0-9]{13})\.([0-9]{4})\.([cv])$/;

export interface HlcParts {
  ms: number;
  counter: number;
  origin: HlcOrigin;
}

export function parseHlc(hlc: string): HlcParts | null {
  const m = HLC_RE.exec(hlc);
  if (!m) return null;
  return { ms: Number(m[1]), counter: Number(m[2]), origin: m[3] === 'v' ? 'venue' : 'cloud' };
}

export function formatHlc(p: HlcParts): Hlc {
  return `${String(p.ms).padStart(13, '0')}.${String(p.counter).padStart(4, '0')}.${ORIGIN_CODE[p.origin]}`;
}

/**
 * The HLC of a new decision made at `nowMs` by `origin`, after every HLC in `seen` (the decision it replaces, and any
 * other it knows of). Never equal to or before any of them from the same origin.
 */
export function nextHlc(nowMs: number, origin: HlcOrigin, ...seen: ReadonlyArray<string | null | undefined>): Hlc {
  let ms = Math.max(0, Math.floor(nowMs));
  let counter = 0;
  for (const s of seen) {
    const p = s ? parseHlc(s) : null;
    if (!p) continue;
    if (p.ms > ms) {
      ms = p.ms;
      counter = p.counter + 1;
    } else if (p.ms === ms) counter = Math.max(counter, p.counter + 1);
  }
  if (counter > MAX_COUNTER) {
    ms += 1;
    counter = 0;
  }
  return formatHlc({ ms, counter, origin });
}

/** Orders two HLCs (null, a decision made before HLCs existed, is the earliest). */
export function compareHlc(a: string | null | undefined, b: string | null | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Whether decision `a` wins over decision `b` (strictly later; the venue's wins a tie by the origin letter). */
export function hlcWins(a: string | null | undefined, b: string | null | undefined): boolean {
  return compareHlc(a, b) > 0;
}
