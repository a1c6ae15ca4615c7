// The seating engine: hard rules first (together groups merged into units, apart parties placed DSATUR-style), then
// tabu search with moves and swaps of units between tables. Pure: the caller passes the clock, the budget and the seed.
//
// Objective, lexicographic, so the secondary can never outweigh one point of score:
//   1. guests seated (repair ejects a party to another table only to seat one that did not fit);
//   2. the score of SYSTEM.md: the soft scores of the pairs at one table (what the tabu search climbs);
//   3. the secondary, a cost to lower: each table in use costs `evenness` × (free seats)² + `tableInUse`; an empty
//      table costs nothing. So among the tables in use guests are spread evenly (8+8+8 beats 10+10+4), and with
//      capacity to spare whole tables are left empty rather than many half-empty (10+10+0 beats 7+7+6). It breaks ties
//      in construction and in a final descent from the best plan (moves that keep the score and lower this cost).
import { checkSeatingProblem, SeatingProblemError, type SeatingPlan, type SeatingProblem } from './problem';
import { relativeGap, scoreAssignments } from './score';

export interface SeatingWeights {
  /** Cost per (free seat)² of a table in use; 0 turns evenness off. Default 1. */
  evenness: number;
  /** Cost of each table in use, in the same units; raise it to empty whole tables sooner. Default 0. */
  tableInUse: number;
}
export const DEFAULT_SEATING_WEIGHTS: SeatingWeights = { evenness: 1, tableInUse: 0 };

export interface SolveOptions {
  /** Time the search may take, measured with `now`. */
  timeBudgetMs: number;
  seed: number;
  /** A monotonic clock in ms (performance.now in Node); the engine reads no clock of its own. */
  now: () => number;
  /** Re-seat from this plan: its parties stay where they are unless one must move to seat a party without a table. */
  current?: Pick<SeatingPlan, 'assignments'>;
  /** Party ids of `current` that never move (the party, and its together group, stays at its current table). */
  locked?: readonly string[];
  weights?: Partial<SeatingWeights>;
  /** Stop after this many search iterations (besides the budget): for runs that must not depend on the machine. */
  maxIterations?: number;
  /**
   * An upper bound on the score found elsewhere (the exact solver in another thread), read with the clock: the search
   * stops once it reaches it. Return null while there is none.
   */
  externalBound?: () => number | null;
}

export interface SolveStats {
  iterations: number;
  units: number;
  bound: number;
  /** Parties moved from `current` to seat others (re-seat only). */
  moved: number;
  secondary: number;
}

/** Deterministic 32-bit generator (mulberry32): the same seed gives the same search. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The problem at the level the search works on: units (together groups) and tables, in typed arrays. */
export interface SeatingModel {
  problem: SeatingProblem;
  P: number;
  T: number;
  U: number;
  cap: Int32Array;
  unitOf: Int32Array;
  unitStart: Int32Array;
  unitMembers: Int32Array;
  size: Int32Array;
  lock: Int32Array;
  intra: Float64Array;
  /** allowed[u*T+t]: tags and capacity let unit u sit at t (and its lock, if any, is t). */
  allowed: Uint8Array;
  allowedCount: Int32Array;
  nbrStart: Int32Array;
  nbr: Int32Array;
  nbrW: Int32Array;
  apStart: Int32Array;
  ap: Int32Array;
  /** Slot of a unit in the apart counters, −1 when it has no apart partner. */
  apSlot: Int32Array;
  apUnits: number;
  needsKey: string[];
  /** Guests of the units that have at least one table they may sit at. */
  seatableGuests: number;
  /**
   * Upper bounds at unit level, every liking pair of units together and every disliking pair apart (units that cannot
   * sit anywhere count nothing): `boundFull` for plans seating every seatable unit, `boundAny` for any plan (a unit's
   * own inner score counted only when positive, since the unit might be left out).
   */
  boundFull: number;
  boundAny: number;
}

export function buildModel(problem: SeatingProblem): SeatingModel {
  const P = problem.parties.length;
  const T = problem.tables.length;
  const tableIndex = new Map(problem.tables.map((t, i) => [t.id, i]));
  const partyIndex = new Map(problem.parties.map((p, i) => [p.id, i]));
  const relations = problem.relations ?? [];
  const together: [number, number][] = [];
  for (const r of relations) if (r.together === true) together.push([partyIndex.get(r.a)!, partyIndex.get(r.b)!]);
  // Union-find root per party, then dense unit numbers in the order of each group's first party.
  const root = new Int32Array(P);
  for (let i = 0; i < P; i++) root[i] = i;
  const find = (x: number): number => {
    while (root[x] !== x) x = root[x] = root[root[x]!]!;
    return x;
  };
  for (const [a, b] of together) {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) root[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  const unitOf = new Int32Array(P);
  const unitOfRoot = new Int32Array(P).fill(-1);
  let U = 0;
  for (let i = 0; i < P; i++) {
    const r = find(i);
    if (unitOfRoot[r] === -1) unitOfRoot[r] = U++;
    unitOf[i] = unitOfRoot[r]!;
  }
  const unitStart = new Int32Array(U + 1);
  for (let i = 0; i < P; i++) unitStart[unitOf[i]! + 1]!++;
  for (let u = 0; u < U; u++) unitStart[u + 1]! += unitStart[u]!;
  const fill = unitStart.slice(0, U);
  const unitMembers = new Int32Array(P);
  for (let i = 0; i < P; i++) unitMembers[fill[unitOf[i]!]!++] = i;

  const cap = new Int32Array(T);
  problem.tables.forEach((t, i) => (cap[i] = t.capacity));
  const size = new Int32Array(U);
  const lock = new Int32Array(U).fill(-1);
  const unitNeeds: Set<string>[] = Array.from({ length: U }, () => new Set());
  problem.parties.forEach((p, i) => {
    const u = unitOf[i]!;
    size[u]! += p.size;
    if (p.table !== undefined) lock[u] = tableIndex.get(p.table)!;
    for (const n of p.needs ?? []) unitNeeds[u]!.add(n);
  });
  const needsKey = unitNeeds.map((s) => [...s].sort().join(', '));
  const tableTags = problem.tables.map((t) => new Set(t.tags ?? []));
  const maskByNeeds = new Map<string, Uint8Array>();
  const allowed = new Uint8Array(U * T);
  const allowedCount = new Int32Array(U);
  for (let u = 0; u < U; u++) {
    const key = needsKey[u]!;
    let mask = maskByNeeds.get(key);
    if (!mask) {
      mask = new Uint8Array(T);
      const needs = [...unitNeeds[u]!];
      for (let t = 0; t < T; t++) mask[t] = needs.every((n) => tableTags[t]!.has(n)) ? 1 : 0;
      maskByNeeds.set(key, mask);
    }
    let n = 0;
    for (let t = 0; t < T; t++) {
      const ok = mask[t] === 1 && cap[t]! >= size[u]! && (lock[u] === -1 || lock[u] === t);
      if (ok) {
        allowed[u * T + t] = 1;
        n++;
      }
    }
    allowedCount[u] = n;
  }

  // Scores between units (summed over their parties' pairs), scores inside a unit, apart pairs of units.
  const intra = new Float64Array(U);
  const pairScore = new Map<number, number>();
  const apartPairs = new Set<number>();
  for (const r of relations) {
    const ua = unitOf[partyIndex.get(r.a)!]!;
    const ub = unitOf[partyIndex.get(r.b)!]!;
    if (r.apart === true && ua !== ub) apartPairs.add(Math.min(ua, ub) * U + Math.max(ua, ub));
    if (r.score === undefined || r.score === 0) continue;
    if (ua === ub) intra[ua]! += r.score;
    else {
      const key = Math.min(ua, ub) * U + Math.max(ua, ub);
      pairScore.set(key, (pairScore.get(key) ?? 0) + r.score);
    }
  }
  const deg = new Int32Array(U + 1);
  let boundFull = 0;
  let boundAny = 0;
  let seatableGuests = 0;
  for (let u = 0; u < U; u++) {
    if (allowedCount[u] === 0) continue;
    seatableGuests += size[u]!;
    boundFull += intra[u]!;
    boundAny += Math.max(0, intra[u]!);
  }
  for (const [key, s] of pairScore) {
    if (s === 0) continue;
    const a = Math.floor(key / U);
    const b = key % U;
    deg[a + 1]!++;
    deg[b + 1]!++;
    if (s > 0 && !apartPairs.has(key) && allowedCount[a]! > 0 && allowedCount[b]! > 0) {
      boundFull += s;
      boundAny += s;
    }
  }
  for (let u = 0; u < U; u++) deg[u + 1]! += deg[u]!;
  const nbrStart = deg;
  const nbr = new Int32Array(nbrStart[U]!);
  const nbrW = new Int32Array(nbrStart[U]!);
  const pos = nbrStart.slice(0, U);
  for (const [key, s] of pairScore) {
    if (s === 0) continue;
    const a = Math.floor(key / U);
    const b = key % U;
    nbr[pos[a]!] = b;
    nbrW[pos[a]!++] = s;
    nbr[pos[b]!] = a;
    nbrW[pos[b]!++] = s;
  }
  const apStart = new Int32Array(U + 1);
  for (const key of apartPairs) {
    apStart[Math.floor(key / U) + 1]!++;
    apStart[(key % U) + 1]!++;
  }
  for (let u = 0; u < U; u++) apStart[u + 1]! += apStart[u]!;
  const ap = new Int32Array(apStart[U]!);
  const apPos = apStart.slice(0, U);
  for (const key of apartPairs) {
    const a = Math.floor(key / U);
    const b = key % U;
    ap[apPos[a]!++] = b;
    ap[apPos[b]!++] = a;
  }
  const apSlot = new Int32Array(U).fill(-1);
  let apUnits = 0;
  for (let u = 0; u < U; u++) if (apStart[u + 1]! > apStart[u]!) apSlot[u] = apUnits++;
  return { problem, P, T, U, cap, unitOf, unitStart, unitMembers, size, lock, intra, allowed, allowedCount, nbrStart, nbr, nbrW, apStart, ap, apSlot, apUnits, needsKey, seatableGuests, boundFull, boundAny };
}

/**
 * The search state: where each unit sits, table loads and, per unit and table, the sum of its scores with the units
 * at that table (W) and the number of its apart partners there, all kept up to date move by move so a move or swap is
 * priced in O(1) and applied in O(degree).
 */
class State {
  readonly tableOf: Int32Array;
  readonly load: Int32Array;
  readonly W: Int32Array;
  readonly apCnt: Uint16Array;
  readonly head: Int32Array;
  readonly next: Int32Array;
  readonly prev: Int32Array;
  score = 0;
  secondary = 0;
  seatedGuests = 0;

  constructor(readonly m: SeatingModel, readonly w: SeatingWeights) {
    this.tableOf = new Int32Array(m.U).fill(-1);
    this.load = new Int32Array(m.T);
    this.W = new Int32Array(m.U * m.T);
    this.apCnt = new Uint16Array(m.apUnits * m.T);
    this.head = new Int32Array(m.T).fill(-1);
    this.next = new Int32Array(m.U).fill(-1);
    this.prev = new Int32Array(m.U).fill(-1);
  }

  pen(t: number, load: number): number {
    if (load === 0) return 0;
    const free = this.m.cap[t]! - load;
    return this.w.evenness * free * free + this.w.tableInUse;
  }

  /** Secondary change when table t's load changes by d. */
  penDelta(t: number, d: number): number {
    const l = this.load[t]!;
    return this.pen(t, l + d) - this.pen(t, l);
  }

  apartAt(u: number, t: number): number {
    const s = this.m.apSlot[u]!;
    return s < 0 ? 0 : this.apCnt[s * this.m.T + t]!;
  }

  canPlace(u: number, t: number): boolean {
    const m = this.m;
    return m.allowed[u * m.T + t] === 1 && this.load[t]! + m.size[u]! <= m.cap[t]! && this.apartAt(u, t) === 0;
  }

  /** Move unit u to table b (−1: unseated), keeping every counter right. */
  move(u: number, b: number): void {
    const m = this.m;
    const T = m.T;
    const a = this.tableOf[u]!;
    if (a === b) return;
    const su = m.size[u]!;
    if (a >= 0) {
      this.score -= this.W[u * T + a]! + m.intra[u]!;
      this.secondary += this.penDelta(a, -su);
      this.load[a]! -= su;
      this.seatedGuests -= su;
      const p = this.prev[u]!;
      const n = this.next[u]!;
      if (p >= 0) this.next[p] = n;
      else this.head[a] = n;
      if (n >= 0) this.prev[n] = p;
    }
    if (b >= 0) {
      this.score += this.W[u * T + b]! + m.intra[u]!;
      this.secondary += this.penDelta(b, su);
      this.load[b]! += su;
      this.seatedGuests += su;
      this.prev[u] = -1;
      this.next[u] = this.head[b]!;
      if (this.head[b]! >= 0) this.prev[this.head[b]!] = u;
      this.head[b] = u;
    }
    this.tableOf[u] = b;
    for (let k = m.nbrStart[u]!, e = m.nbrStart[u + 1]!; k < e; k++) {
      const v = m.nbr[k]!;
      const s = m.nbrW[k]!;
      if (a >= 0) this.W[v * T + a]! -= s;
      if (b >= 0) this.W[v * T + b]! += s;
    }
    for (let k = m.apStart[u]!, e = m.apStart[u + 1]!; k < e; k++) {
      const slot = m.apSlot[m.ap[k]!]! * T;
      if (a >= 0) this.apCnt[slot + a]!--;
      if (b >= 0) this.apCnt[slot + b]!++;
    }
  }

  /** Set every unit to `tableOf` from scratch (after restoring the best plan). */
  reset(tableOf: Int32Array): void {
    this.tableOf.fill(-1);
    this.load.fill(0);
    this.W.fill(0);
    this.apCnt.fill(0);
    this.head.fill(-1);
    this.score = 0;
    this.secondary = 0;
    this.seatedGuests = 0;
    for (let u = 0; u < this.m.U; u++) if (tableOf[u]! >= 0) this.move(u, tableOf[u]!);
  }
}

/** Lexicographic: is (dS, dSec) a better change than (bS, bSec)? Score up first, secondary cost down second. */
const EPS = 1e-9;
function better(dS: number, dSec: number, bS: number, bSec: number): boolean {
  return dS > bS || (dS === bS && dSec < bSec - EPS);
}

interface Best {
  kind: 0 | 1 | 2; // none, move, swap
  u: number;
  v: number;
  t: number;
  dS: number;
  dSec: number;
}

/** Tables worth trying for unit u: all of them when there are few, else its partners' tables and a few at random. */
function candidateTables(st: State, u: number, out: Int32Array, stamp: Int32Array, mark: number, rnd: () => number, all: boolean): number {
  const m = st.m;
  let n = 0;
  if (all) {
    for (let t = 0; t < m.T; t++) out[n++] = t;
    return n;
  }
  const lockT = m.lock[u]!;
  if (lockT >= 0) return 0;
  for (let k = m.nbrStart[u]!, e = m.nbrStart[u + 1]!; k < e; k++) {
    if (m.nbrW[k]! <= 0) continue;
    const t = st.tableOf[m.nbr[k]!]!;
    if (t >= 0 && stamp[t] !== mark) {
      stamp[t] = mark;
      out[n++] = t;
    }
  }
  for (let i = 0; i < 4; i++) {
    const t = Math.floor(rnd() * m.T);
    if (stamp[t] !== mark) {
      stamp[t] = mark;
      out[n++] = t;
    }
  }
  return n;
}

export function solveSeating(problem: SeatingProblem, opts: SolveOptions): SeatingPlan & { stats: SolveStats } {
  const checked = checkSeatingProblem(problem);
  if (!checked.ok) throw new SeatingProblemError(checked.errors);
  const t0 = opts.now();
  const deadline = t0 + Math.max(0, opts.timeBudgetMs);
  const weights: SeatingWeights = { ...DEFAULT_SEATING_WEIGHTS, ...opts.weights };
  const rnd = seededRandom(opts.seed);
  const m = buildModel(problem);
  const { U, T } = m;
  const st = new State(m, weights);
  const movable = new Uint8Array(U).fill(1);
  for (let u = 0; u < U; u++) if (m.lock[u]! >= 0) movable[u] = 0;

  // Re-seat: units of `current` go back to their tables first; what no longer fits is placed again like a new party.
  const lockedUnits = new Set<number>();
  if (opts.locked?.length && !opts.current) throw new SeatingProblemError([{ field: 'locked', message: 'needs a current plan to keep parties in' }]);
  if (opts.current) {
    const partyIndex = new Map(problem.parties.map((p, i) => [p.id, i]));
    const tableIndex = new Map(problem.tables.map((t, i) => [t.id, i]));
    const unitTable = new Int32Array(U).fill(-2); // −2 no member placed yet, −3 members at different tables
    for (const a of opts.current.assignments) {
      const p = partyIndex.get(a.party);
      const t = tableIndex.get(a.table);
      if (p === undefined) continue; // a no-show, gone from the problem
      const u = m.unitOf[p]!;
      const tt = t === undefined ? -3 : t;
      unitTable[u] = unitTable[u] === -2 || unitTable[u] === tt ? tt : -3;
    }
    // A unit counts as placed only when all its members were at that table.
    const placedMembers = new Int32Array(U);
    for (const a of opts.current.assignments) {
      const p = partyIndex.get(a.party);
      if (p !== undefined) placedMembers[m.unitOf[p]!]!++;
    }
    for (const id of opts.locked ?? []) {
      const p = partyIndex.get(id);
      if (p === undefined) throw new SeatingProblemError([{ field: 'locked', message: `party ${id} is not in the problem` }]);
      const u = m.unitOf[p]!;
      if (unitTable[u]! < 0) throw new SeatingProblemError([{ field: 'locked', message: `party ${id} has no table in the current plan` }]);
      lockedUnits.add(u);
    }
    for (const u of lockedUnits) {
      const t = unitTable[u]!;
      // A locked unit stays even if the problem changed under it (its needs, say): it is the planner's decision.
      if (m.lock[u]! >= 0 && m.lock[u] !== t) throw new SeatingProblemError([{ field: 'locked', message: `a locked party's table differs from its table in the problem` }]);
      st.move(u, t);
      movable[u] = 0;
    }
    for (let u = 0; u < U; u++) {
      if (lockedUnits.has(u) || m.lock[u]! >= 0) continue;
      const t = unitTable[u]!;
      const members = m.unitStart[u + 1]! - m.unitStart[u]!;
      if (t >= 0 && placedMembers[u] === members && st.canPlace(u, t)) {
        st.move(u, t);
        // Kept where it is: only repair may move it, to make room for someone without a table.
        movable[u] = 0;
      }
    }
  }

  // Construction. Problem locks first, then units with apart partners by DSATUR (the one with the fewest tables still
  // open goes next), then the rest by fewest allowed tables and largest size (first-fit decreasing's order); each goes
  // to the open table where it gains most score, then where it costs least secondary.
  for (let u = 0; u < U; u++) if (m.lock[u]! >= 0 && st.tableOf[u]! < 0 && st.canPlace(u, m.lock[u]!)) st.move(u, m.lock[u]!);
  const openTables = (u: number): number => {
    let n = 0;
    for (let t = 0; t < T; t++) if (st.canPlace(u, t)) n++;
    return n;
  };
  const placeBest = (u: number): boolean => {
    let bt = -1;
    let bS = -Infinity;
    let bSec = Infinity;
    for (let t = 0; t < T; t++) {
      if (!st.canPlace(u, t)) continue;
      const dS = st.W[u * T + t]!;
      const dSec = st.penDelta(t, m.size[u]!);
      if (better(dS, dSec, bS, bSec)) {
        bt = t;
        bS = dS;
        bSec = dSec;
      }
    }
    if (bt >= 0) st.move(u, bt);
    return bt >= 0;
  };
  const pending: number[] = [];
  for (let u = 0; u < U; u++) if (st.tableOf[u]! < 0 && m.lock[u]! < 0) pending.push(u);
  const apartUnits = pending.filter((u) => m.apSlot[u]! >= 0);
  const rest = pending.filter((u) => m.apSlot[u]! < 0);
  const unplaced: number[] = [];
  if (apartUnits.length <= 150) {
    const left = new Set(apartUnits);
    while (left.size) {
      let pick = -1;
      let pickOpen = Infinity;
      for (const u of left) {
        const open = openTables(u);
        if (open < pickOpen || (open === pickOpen && (m.size[u]! > m.size[pick]! || (m.size[u] === m.size[pick] && u < pick)))) {
          pick = u;
          pickOpen = open;
        }
      }
      left.delete(pick);
      if (!placeBest(pick)) unplaced.push(pick);
    }
  } else {
    apartUnits.sort((a, b) => m.apStart[b + 1]! - m.apStart[b]! - (m.apStart[a + 1]! - m.apStart[a]!) || m.size[b]! - m.size[a]! || a - b);
    for (const u of apartUnits) if (!placeBest(u)) unplaced.push(u);
  }
  rest.sort((a, b) => m.allowedCount[a]! - m.allowedCount[b]! || m.size[b]! - m.size[a]! || a - b);
  for (const u of rest) if (!placeBest(u)) unplaced.push(u);

  // Repair: a unit that found no table may take one whose occupant can move to another table (one move per unit).
  let moved = 0;
  const movedUnits = new Set<number>();
  const repair = (): void => {
    for (let i = 0; i < unplaced.length; i++) {
      if (opts.now() >= deadline) return;
      const u = unplaced[i]!;
      if (st.tableOf[u]! >= 0) continue;
      if (m.allowedCount[u] === 0) continue;
      if (placeBest(u)) {
        unplaced.splice(i--, 1);
        continue;
      }
      let done = false;
      for (let t = 0; t < T && !done; t++) {
        if (m.allowed[u * T + t] !== 1) continue;
        const need = st.load[t]! + m.size[u]! - m.cap[t]!;
        for (let v = st.head[t]!; v >= 0 && !done; v = st.next[v]!) {
          if (m.lock[v]! >= 0 || lockedUnits.has(v)) continue;
          if (m.size[v]! < need) continue;
          // u would sit with everyone at t but v: no apart partner among them.
          let apartLeft = st.apartAt(u, t);
          for (let k = m.apStart[u]!, e = m.apStart[u + 1]!; k < e; k++) if (m.ap[k] === v) apartLeft--;
          if (apartLeft !== 0) continue;
          for (let t2 = 0; t2 < T; t2++) {
            if (t2 === t || !st.canPlace(v, t2)) continue;
            st.move(v, t2);
            st.move(u, t);
            if (opts.current && movable[v] === 0 && !movedUnits.has(v)) {
              movedUnits.add(v);
              moved += m.unitStart[v + 1]! - m.unitStart[v]!;
            }
            done = true;
            break;
          }
        }
      }
      if (done) unplaced.splice(i--, 1);
    }
  };
  repair();

  // Tabu search over the movable seated units.
  const movers: number[] = [];
  for (let u = 0; u < U; u++) if (movable[u] === 1 && m.allowedCount[u]! > 0) movers.push(u);
  const smallT = T <= 48;
  const fullScan = movers.length <= 160;
  const sample = fullScan ? movers.length : 24;
  const cand = new Int32Array(T + 8);
  const stamp = new Int32Array(T);
  let mark = 0;
  const scratch = new Int32Array(U);
  const scratchAp = new Uint8Array(U);
  const tabuTable = new Int32Array(U).fill(-1);
  const tabuUntil = new Int32Array(U);
  const bestTableOf = Int32Array.from(st.tableOf);
  let bestScore = st.score;
  let iter = 0;
  let sinceBest = 0;
  const stall = Math.max(400, 8 * movers.length);
  const maxIter = opts.maxIterations ?? Infinity;
  // The exact solver's bound is for plans seating every seatable unit: it holds only while this plan does.
  const bound = (): number => {
    if (st.seatedGuests < m.seatableGuests) return m.boundAny;
    const ext = opts.externalBound?.() ?? null;
    return ext === null ? m.boundFull : Math.min(m.boundFull, ext);
  };
  let currentBound = bound();
  const mv: Best = { kind: 0, u: -1, v: -1, t: -1, dS: 0, dSec: 0 };
  const saveBest = () => {
    bestTableOf.set(st.tableOf);
    bestScore = st.score;
  };

  let ties = 0;
  /**
   * Best move or swap for unit u into mv (when better than what mv holds). The tabu search (`polish` false) weighs the
   * score alone, ties drawn at random: steering by the secondary there packs tables full and leaves no room to move.
   * The polish weighs the score, then the secondary, and skips tabu bookkeeping.
   */
  const takes = (dS: number, dSec: number, polish: boolean): boolean => {
    if (polish) return better(dS, dSec, mv.dS, mv.dSec);
    if (dS > mv.dS) {
      ties = 1;
      return true;
    }
    return dS === mv.dS && rnd() * ++ties < 1;
  };
  const evalUnit = (u: number, aspiration: number, improvingOnly: boolean): void => {
    const a = st.tableOf[u]!;
    if (a < 0) return;
    const su = m.size[u]!;
    const uT = u * T;
    const n = candidateTables(st, u, cand, stamp, ++mark, rnd, smallT);
    for (let k = m.nbrStart[u]!, e = m.nbrStart[u + 1]!; k < e; k++) scratch[m.nbr[k]!] = m.nbrW[k]!;
    for (let k = m.apStart[u]!, e = m.apStart[u + 1]!; k < e; k++) scratchAp[m.ap[k]!] = 1;
    const wa = st.W[uT + a]!;
    const leaveA = st.penDelta(a, -su);
    for (let i = 0; i < n; i++) {
      const b = cand[i]!;
      if (b === a || m.allowed[uT + b] !== 1) continue;
      const tabu = !improvingOnly && tabuTable[u] === b && tabuUntil[u]! > iter;
      const apB = st.apartAt(u, b);
      const wb = st.W[uT + b]!;
      if (st.load[b]! + su <= m.cap[b]! && apB === 0) {
        const dS = wb - wa;
        const dSec = leaveA + st.penDelta(b, su);
        if ((!tabu || st.score + dS > aspiration) && takes(dS, dSec, improvingOnly)) {
          mv.kind = 1; mv.u = u; mv.t = b; mv.dS = dS; mv.dSec = dSec;
        }
      }
      for (let v = st.head[b]!; v >= 0; v = st.next[v]!) {
        if (movable[v] === 0) continue;
        const sv = m.size[v]!;
        if (st.load[b]! - sv + su > m.cap[b]! || st.load[a]! - su + sv > m.cap[a]!) continue;
        if (m.allowed[v * T + a] !== 1) continue;
        const apUV = scratchAp[v]!;
        if (apB - apUV !== 0 || st.apartAt(v, a) - apUV !== 0) continue;
        const suv = scratch[v]!;
        const dS = wb - suv - wa + st.W[v * T + a]! - suv - st.W[v * T + b]!;
        const dSec = su === sv ? 0 : st.penDelta(a, sv - su) + st.penDelta(b, su - sv);
        const vTabu = !improvingOnly && tabuTable[v] === a && tabuUntil[v]! > iter;
        if ((!(tabu || vTabu) || st.score + dS > aspiration) && takes(dS, dSec, improvingOnly)) {
          mv.kind = 2; mv.u = u; mv.v = v; mv.t = b; mv.dS = dS; mv.dSec = dSec;
        }
      }
    }
    for (let k = m.nbrStart[u]!, e = m.nbrStart[u + 1]!; k < e; k++) scratch[m.nbr[k]!] = 0;
    for (let k = m.apStart[u]!, e = m.apStart[u + 1]!; k < e; k++) scratchAp[m.ap[k]!] = 0;
  };

  const apply = (): void => {
    const u = mv.u;
    const a = st.tableOf[u]!;
    const tenure = 7 + Math.floor(rnd() * 10);
    if (mv.kind === 2) {
      const v = mv.v;
      st.move(v, a);
      tabuTable[v] = mv.t;
      tabuUntil[v] = iter + tenure;
    }
    st.move(u, mv.t);
    tabuTable[u] = a;
    tabuUntil[u] = iter + tenure;
  };

  /** Improving moves only, until none: polishes the secondary once the score is proven best. */
  const descend = (): void => {
    for (let round = 0; round < 50; round++) {
      let improved = false;
      for (const u of movers) {
        mv.kind = 0; mv.dS = 0; mv.dSec = -EPS;
        evalUnit(u, Infinity, true);
        if (mv.kind !== 0 && mv.dS >= 0) {
          apply();
          improved = true;
        }
      }
      if (!improved || opts.now() >= deadline) break;
    }
  };

  while (movers.length > 0) {
    if ((iter & 63) === 0) {
      if (opts.now() >= deadline) break;
      currentBound = bound();
    }
    if (iter >= maxIter) break;
    if (bestScore >= currentBound) break; // proven: the score cannot rise
    mv.kind = 0; mv.dS = -Infinity; mv.dSec = Infinity;
    ties = 0;
    const aspiration = bestScore;
    for (let i = 0; i < sample; i++) {
      const u = fullScan ? movers[i]! : movers[Math.floor(rnd() * movers.length)]!;
      evalUnit(u, aspiration, false);
    }
    iter++;
    if (mv.kind === 0) {
      sinceBest++;
    } else {
      apply();
      if (st.score > bestScore) {
        saveBest();
        sinceBest = 0;
      } else sinceBest++;
    }
    if (sinceBest > stall) {
      // Stuck: back to the best plan, shaken by a few random moves.
      st.reset(bestTableOf);
      tabuUntil.fill(0);
      const kicks = 2 + Math.floor(rnd() * Math.max(2, movers.length / 4));
      for (let k = 0; k < kicks; k++) {
        const u = movers[Math.floor(rnd() * movers.length)]!;
        const t = Math.floor(rnd() * T);
        if (st.tableOf[u]! >= 0 && st.canPlace(u, t)) st.move(u, t);
      }
      sinceBest = 0;
    }
  }
  st.reset(bestTableOf);
  if (unplaced.length) repair();
  // The secondary, lexicographically after the score: improving moves only, from the best plan.
  if (movers.length) descend();

  // The plan, in the problem's party order.
  const assignments: SeatingPlan['assignments'] = [];
  const unseated: SeatingPlan['unseated'] = [];
  const reasons = new Map<number, string>();
  for (let p = 0; p < m.P; p++) {
    const u = m.unitOf[p]!;
    const t = st.tableOf[u]!;
    if (t >= 0) assignments.push({ party: problem.parties[p]!.id, table: problem.tables[t]!.id });
    else {
      if (!reasons.has(u)) reasons.set(u, unseatedReason(m, st, u));
      unseated.push({ party: problem.parties[p]!.id, reason: reasons.get(u)! });
    }
  }
  const score = scoreAssignments(problem, assignments);
  const b = bound();
  const duration = Math.max(0, opts.now() - t0);
  return {
    assignments,
    unseated,
    score,
    optimal: score >= b,
    gap: relativeGap(score, b),
    duration_ms: Math.round(duration),
    stats: { iterations: iter, units: U, bound: b, moved, secondary: st.secondary },
  };
}

function unseatedReason(m: SeatingModel, st: State, u: number): string {
  const { T } = m;
  const members = Array.from(m.unitMembers.subarray(m.unitStart[u]!, m.unitStart[u + 1]!), (p) => m.problem.parties[p]!.id);
  let maxCap = 0;
  for (let t = 0; t < T; t++) maxCap = Math.max(maxCap, m.cap[t]!);
  if (m.size[u]! > maxCap) return members.length > 1 ? `together_group_larger_than_any_table: ${members.join(', ')}` : 'party_larger_than_any_table';
  const needs = m.needsKey[u]!;
  if (m.allowedCount[u] === 0) {
    const tags = needs.split(', ');
    const anyWithTags = needs === '' || m.problem.tables.some((t) => tags.every((n) => (t.tags ?? []).includes(n)));
    return anyWithTags ? `tables_with_tags_too_small: ${needs}` : `no_table_with_tags: ${needs}`;
  }
  // Every table it fits at holds an apart partner: name them.
  const partners = new Set<number>();
  for (let t = 0; t < T; t++) {
    if (m.allowed[u * T + t] !== 1) continue;
    if (st.apartAt(u, t) === 0) return 'no_room';
    for (let k = m.apStart[u]!, e = m.apStart[u + 1]!; k < e; k++) if (st.tableOf[m.ap[k]!] === t) partners.add(m.ap[k]!);
  }
  // Name the parties themselves that must sit apart from a member of u, not their whole together groups.
  const partyIndex = new Map(m.problem.parties.map((p, i) => [p.id, i]));
  const mine = new Set(members);
  const names = new Set<number>();
  for (const r of m.problem.relations ?? []) {
    if (r.apart !== true) continue;
    const other = mine.has(r.a) ? r.b : mine.has(r.b) ? r.a : null;
    if (other === null) continue;
    const p = partyIndex.get(other)!;
    if (partners.has(m.unitOf[p]!)) names.add(p);
  }
  return `conflicts_with: ${[...names].sort((a, b) => a - b).map((p) => m.problem.parties[p]!.id).join(', ')}`;
}
