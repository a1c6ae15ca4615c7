// `seatpilot cloud seating assign|relations …`: the seating engine on an occasion's guest list (JSON on stdout, one
// line for people on stderr).
import { CliError, parseOptions, printJson, requireOption } from '../../node-kit/cli';
import { readInputFile } from '../guestlist/cli';
import type { Db } from '../db';
import { assignSeats, summaryLine } from './assign';
import { importRelations } from './relations';
import { auditAfter, tenantOf } from '../guestlist/cli-audit';

export const SEATING_USAGE = `       seatpilot cloud seating relations import --occasion O FILE.csv   [--data DIR]
       seatpilot cloud seating assign --occasion O [--dry-run] [--time-limit-ms N] [--seed N] [--data DIR]`;

type WithDb = <T>(dataDir: string | undefined, fn: (db: Db) => Promise<T>) => Promise<T>;

function intOption(value: string | undefined, name: string, min: number, max: number, fallback: number, usage: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) throw new CliError(`--${name} must be a whole number from ${min} to ${max}\n${usage}`, 2);
  return n;
}

/** Runs a `cloud seating …` command; false when `verb` is not one of them. */
export async function seatingCloudCommand(verb: string | undefined, rest: string[], withDb: WithDb, usage: string): Promise<boolean> {
  if (verb === 'relations' && rest[0] === 'import') {
    const { values, positionals } = parseOptions(rest.slice(1), { data: { type: 'string' }, occasion: { type: 'string' } }, usage);
    const occasionId = requireOption(values.occasion, 'occasion', usage);
    const csv = readInputFile(positionals, 'CSV', usage);
    // importRelations opens its own transaction on the Db: the audit entry follows right after it.
    printJson(await withDb(values.data, async (db) => auditAfter(db, await importRelations(db, occasionId, csv), async (r, q) => ({ ...(await tenantOf(q, 'occasion', occasionId)), action: 'relations.import', entity: 'occasion', entityId: occasionId, after: r }))));
    return true;
  }
  if (verb === 'assign') {
    const { values } = parseOptions(rest, { data: { type: 'string' }, occasion: { type: 'string' }, 'dry-run': { type: 'boolean' }, 'time-limit-ms': { type: 'string' }, seed: { type: 'string' } }, usage);
    const occasionId = requireOption(values.occasion, 'occasion', usage);
    const timeLimitMs = intOption(values['time-limit-ms'], 'time-limit-ms', 10, 600_000, 2000, usage);
    const seed = intOption(values.seed, 'seed', 0, 4_294_967_295, 1, usage);
    const dryRun = values['dry-run'] === true;
    const summary = await withDb(values.data, async (db) => auditAfter(db, await assignSeats(db, { occasionId, dryRun, timeLimitMs, seed, channel: 'cli' }), async (s, q) =>
      dryRun ? null : { ...(await tenantOf(q, 'occasion', occasionId)), action: 'seating.assign', entity: 'occasion', entityId: occasionId, after: { guests_seated: s.guests_seated, guests_to_seat: s.guests_to_seat, score: s.score, changes: s.changes.length } }));
    printJson(summary);
    process.stderr.write(`${summaryLine(summary)}\n`);
    return true;
  }
  return false;
}
