// The seating problem as a mixed-integer program in CPLEX LP text, for HiGHS to prove an optimum or bound the score.
// Pure string building. x_p_t = 1 when party p sits at table t; for each scored pair and table they may share,
// y_k_t ≤ both x (a liking pair) or y_k_t ≥ x_p_t + x_q_t − 1 (a disliking pair) is 1 exactly when both sit there.
// Every party that has a table it may sit at is seated: the bound is for plans that seat everyone who can be.
// Only the primary score is optimised; the engine's secondary (evenness) is not in the model.
import { buildModel } from './engine';
import type { SeatingProblem } from './problem';

export interface SeatingMip {
  lp: string;
  /** The x columns: the party and table each stands for, to read a solution back into a plan. */
  xColumns: { name: string; party: number; table: number }[];
  /** Score of the pairs inside together groups: fixed once everyone is seated, added to the model's objective. */
  offset: number;
  columns: number;
  rows: number;
}

export type SeatingMipBuild = { ok: true; mip: SeatingMip } | { ok: false; reason: string };

export const DEFAULT_MAX_MIP_COLUMNS = 60_000;

class Lines {
  readonly out: string[] = [];
  private line = '';
  term(coef: number, name: string): void {
    const sign = coef < 0 ? '-' : '+';
    const abs = Math.abs(coef);
    this.line += ` ${sign} ${abs === 1 ? '' : `${abs} `}${name}`;
    // LP text wraps freely; short lines keep any reader's line buffer happy.
    if (this.line.length > 200) this.flush();
  }
  text(s: string): void {
    this.line += s;
  }
  flush(): void {
    if (this.line) this.out.push(this.line);
    this.line = '';
  }
}

export function buildSeatingMip(problem: SeatingProblem, maxColumns = DEFAULT_MAX_MIP_COLUMNS): SeatingMipBuild {
  const m = buildModel(problem);
  const { P, T, U } = m;
  const partyIndex = new Map(problem.parties.map((p, i) => [p.id, i]));

  // Identical tables (same capacity and tags, no party locked to them) are interchangeable: a plan can always be
  // relabelled so the k-th table of a class holds, as its first unit, a unit of rank ≥ k among the units that may sit
  // there. So unit of rank r gets no x at the class's tables after the r-th: the same optimum, far less symmetry.
  const lockedTables = new Set<number>();
  for (let u = 0; u < U; u++) if (m.lock[u]! >= 0) lockedTables.add(m.lock[u]!);
  const classOf = new Int32Array(T).fill(-1);
  const posInClass = new Int32Array(T);
  const classKeys = new Map<string, number>();
  const classSize: number[] = [];
  for (let t = 0; t < T; t++) {
    if (lockedTables.has(t)) continue;
    const key = `${m.cap[t]}|${[...new Set(problem.tables[t]!.tags ?? [])].sort().join('\u0001')}`;
    let c = classKeys.get(key);
    if (c === undefined) {
      c = classSize.length;
      classKeys.set(key, c);
      classSize.push(0);
    }
    classOf[t] = c;
    posInClass[t] = classSize[c]!++;
  }
  const rankInClass = new Map<number, Int32Array>();
  const rank = (c: number): Int32Array => {
    let r = rankInClass.get(c);
    if (!r) {
      r = new Int32Array(U).fill(-1);
      let t0 = -1;
      for (let t = 0; t < T && t0 < 0; t++) if (classOf[t] === c) t0 = t;
      let k = 0;
      for (let u = 0; u < U; u++) if (m.allowed[u * T + t0] === 1) r[u] = k++;
      rankInClass.set(c, r);
    }
    return r;
  };
  const has = new Uint8Array(U * T);
  for (let u = 0; u < U; u++) {
    for (let t = 0; t < T; t++) {
      if (m.allowed[u * T + t] !== 1) continue;
      const c = classOf[t]!;
      if (c >= 0 && posInClass[t]! > rank(c)[u]!) continue;
      has[u * T + t] = 1;
    }
  }

  const xName = (p: number, t: number) => `x_${p}_${t}`;
  const xColumns: SeatingMip['xColumns'] = [];
  for (let p = 0; p < P; p++) {
    const u = m.unitOf[p]!;
    for (let t = 0; t < T; t++) if (has[u * T + t] === 1) xColumns.push({ name: xName(p, t), party: p, table: t });
  }

  // Scored pairs of parties in different units; pairs inside a unit are always together once seated.
  let offset = 0;
  const pairs: { p: number; q: number; s: number }[] = [];
  const apartPairs: [number, number][] = [];
  for (const r of problem.relations ?? []) {
    const p = partyIndex.get(r.a)!;
    const q = partyIndex.get(r.b)!;
    if (r.apart === true) apartPairs.push([p, q]);
    if (r.score === undefined || r.score === 0 || r.apart === true) continue;
    const up = m.unitOf[p]!;
    const uq = m.unitOf[q]!;
    if (m.allowedCount[up] === 0 || m.allowedCount[uq] === 0) continue;
    if (up === uq) offset += r.score;
    else pairs.push({ p, q, s: r.score });
  }
  const apartSet = new Set(apartPairs.map(([p, q]) => Math.min(m.unitOf[p]!, m.unitOf[q]!) * U + Math.max(m.unitOf[p]!, m.unitOf[q]!)));
  let yCount = 0;
  for (const { p, q } of pairs) {
    const up = m.unitOf[p]!;
    const uq = m.unitOf[q]!;
    if (apartSet.has(Math.min(up, uq) * U + Math.max(up, uq))) continue;
    for (let t = 0; t < T; t++) if (has[up * T + t] === 1 && has[uq * T + t] === 1) yCount++;
  }
  const columns = xColumns.length + yCount;
  if (columns > maxColumns) return { ok: false, reason: `model_too_large: ${columns} columns, limit ${maxColumns}` };

  const obj = new Lines();
  const rows = new Lines();
  let rowCount = 0;
  const yBounds: string[] = [];
  obj.text('Maximize');
  obj.flush();
  obj.text(' obj:');
  let objTerms = 0;
  pairs.forEach(({ p, q, s }, k) => {
    const up = m.unitOf[p]!;
    const uq = m.unitOf[q]!;
    if (apartSet.has(Math.min(up, uq) * U + Math.max(up, uq))) return;
    for (let t = 0; t < T; t++) {
      if (has[up * T + t] !== 1 || has[uq * T + t] !== 1) continue;
      const y = `y_${k}_${t}`;
      obj.term(s, y);
      objTerms++;
      yBounds.push(` 0 <= ${y} <= 1`);
      rowCount += s > 0 ? 2 : 1;
      if (s > 0) {
        rows.text(` l${k}a${t}: ${y} - ${xName(p, t)} <= 0`);
        rows.flush();
        rows.text(` l${k}b${t}: ${y} - ${xName(q, t)} <= 0`);
      } else rows.text(` d${k}_${t}: ${y} - ${xName(p, t)} - ${xName(q, t)} >= -1`);
      rows.flush();
    }
  });
  if (objTerms === 0 && xColumns.length) obj.term(0, xColumns[0]!.name);
  obj.flush();

  // Star rows: the liking partners p shares table t with fit in what p leaves of it. Implied by capacity for whole
  // plans, but they make the LP relaxation far tighter (without them each y may sit at 1/T of every table).
  const star = new Map<string, { q: number; y: string }[]>();
  pairs.forEach(({ p, q, s }, k) => {
    if (s <= 0) return;
    const up = m.unitOf[p]!;
    const uq = m.unitOf[q]!;
    if (apartSet.has(Math.min(up, uq) * U + Math.max(up, uq))) return;
    for (let t = 0; t < T; t++) {
      if (has[up * T + t] !== 1 || has[uq * T + t] !== 1) continue;
      for (const [a, b] of [[p, q], [q, p]] as const) {
        const key = `${a}_${t}`;
        star.set(key, [...(star.get(key) ?? []), { q: b, y: `y_${k}_${t}` }]);
      }
    }
  });
  for (const [key, list] of star) {
    const [p, t] = key.split('_').map(Number) as [number, number];
    const room = m.cap[t]! - problem.parties[p]!.size;
    let most = 0;
    for (const { q } of list) most += problem.parties[q]!.size;
    if (most <= room) continue;
    rows.text(` r${p}_${t}:`);
    for (const { q, y } of list) rows.term(problem.parties[q]!.size, y);
    rows.term(-room, xName(p, t));
    rows.text(' <= 0');
    rows.flush();
    rowCount++;
  }

  // Each seatable party at exactly one table.
  const byParty = new Map<number, string[]>();
  for (const c of xColumns) byParty.set(c.party, [...(byParty.get(c.party) ?? []), c.name]);
  for (const [p, names] of byParty) {
    rows.text(` a${p}:`);
    names.forEach((n) => rows.term(1, n));
    rows.text(' = 1');
    rows.flush();
    rowCount++;
  }
  // Capacity, only where the parties that may sit at a table could overfill it.
  const byTable = new Map<number, number[]>();
  for (const c of xColumns) byTable.set(c.table, [...(byTable.get(c.table) ?? []), c.party]);
  for (const [t, ps] of byTable) {
    let most = 0;
    for (const p of ps) most += problem.parties[p]!.size;
    if (most <= m.cap[t]!) continue;
    rows.text(` c${t}:`);
    for (const p of ps) rows.term(problem.parties[p]!.size, xName(p, t));
    rows.text(` <= ${m.cap[t]}`);
    rows.flush();
    rowCount++;
  }
  // Together: every member of a unit at the first member's table.
  for (let u = 0; u < U; u++) {
    const first = m.unitMembers[m.unitStart[u]!]!;
    for (let i = m.unitStart[u]! + 1; i < m.unitStart[u + 1]!; i++) {
      const p = m.unitMembers[i]!;
      for (let t = 0; t < T; t++) {
        if (has[u * T + t] !== 1) continue;
        rows.text(` g${p}_${t}: ${xName(p, t)} - ${xName(first, t)} = 0`);
        rows.flush();
        rowCount++;
      }
    }
  }
  // Apart: never both at one table.
  apartPairs.forEach(([p, q], k) => {
    const up = m.unitOf[p]!;
    const uq = m.unitOf[q]!;
    if (up === uq) return;
    for (let t = 0; t < T; t++) {
      if (has[up * T + t] !== 1 || has[uq * T + t] !== 1) continue;
      rows.text(` s${k}_${t}: ${xName(p, t)} + ${xName(q, t)} <= 1`);
      rows.flush();
      rowCount++;
    }
  });

  const lp = [
    ...obj.out,
    'Subject To',
    ...rows.out,
    ...(rowCount === 0 && xColumns.length ? [` z: ${xColumns[0]!.name} >= 0`] : []),
    'Bounds',
    ...yBounds,
    'Binary',
    ...chunk(xColumns.map((c) => c.name)),
    'End',
    '',
  ].join('\n');
  return { ok: true, mip: { lp, xColumns, offset, columns, rows: rowCount } };
}

function chunk(names: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < names.length; i += 20) out.push(' ' + names.slice(i, i + 20).join(' '));
  return out;
}
