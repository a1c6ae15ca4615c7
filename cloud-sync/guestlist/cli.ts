// `seatpilot cloud occasion|guests|guest|tables|floorplan …`: guest-list admin commands (JSON on stdout, progress on stderr).
import { readFileSync } from 'node:fs';
import { CliError, parseOptions, printJson, requireOption } from '../../node-kit/cli';
import type { Db } from '../db';
import { importGuests } from './import-guests';
import { addOccasion, deleteGuest, importTables, revokeGuest, setFloorPlan } from './manage';
import { audited, tenantOf } from './cli-audit';

export const GUESTLIST_USAGE = `       seatpilot cloud occasion add --venue V --name N --starts ISO --ends ISO [--timezone TZ] [--reentry single|after_exit|unlimited] [--data DIR]
       seatpilot cloud guests import --venue V --occasion O FILE.csv   [--data DIR]
       seatpilot cloud tables import --venue V FILE.csv                [--data DIR]
       seatpilot cloud floorplan set --venue V FILE.json               [--data DIR]
       seatpilot cloud guest revoke --guest G                          [--data DIR]
       seatpilot cloud guest delete --guest G                          [--data DIR]`;

type WithDb = <T>(dataDir: string | undefined, fn: (db: Db) => Promise<T>) => Promise<T>;

const DATA = { data: { type: 'string' as const } };

/** The one FILE argument, read as UTF-8 text; a clear error when it is missing, unreadable or not UTF-8. */
export function readInputFile(positionals: string[], what: string, usage: string): string {
  if (positionals.length !== 1) throw new CliError(`give exactly one ${what} file\n${usage}`, 2);
  const path = positionals[0] as string;
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(`${path} is not UTF-8 text; save it as UTF-8 (CSV UTF-8 in spreadsheet programs)`);
  }
}

/** Runs a guest-list command; false when `sub verb` is not one of them. */
export async function guestListCommand(sub: string, verb: string | undefined, rest: string[], withDb: WithDb, usage: string): Promise<boolean> {
  switch (`${sub} ${verb ?? ''}`) {
    case 'occasion add': {
      const { values } = parseOptions(rest, { ...DATA, venue: { type: 'string' }, name: { type: 'string' }, starts: { type: 'string' }, ends: { type: 'string' }, timezone: { type: 'string' }, reentry: { type: 'string' } }, usage);
      const input = {
        venueId: requireOption(values.venue, 'venue', usage),
        name: requireOption(values.name, 'name', usage),
        startsAt: requireOption(values.starts, 'starts', usage),
        endsAt: requireOption(values.ends, 'ends', usage),
        ...(values.timezone ? { timezone: values.timezone } : {}),
        ...(values.reentry ? { reentry: values.reentry } : {}),
      };
      printJson(await withDb(values.data, (db) => audited(db, (q) => addOccasion(q, input), async (o, q) => {
        const { id, venue_id, ...after } = o;
        return { ...(await tenantOf(q, 'venue', venue_id)), action: 'occasion.add', entity: 'occasion', entityId: id, after };
      })));
      return true;
    }
    case 'guests import': {
      const { values, positionals } = parseOptions(rest, { ...DATA, venue: { type: 'string' }, occasion: { type: 'string' } }, usage);
      const venueId = requireOption(values.venue, 'venue', usage);
      const occasionId = requireOption(values.occasion, 'occasion', usage);
      const csv = readInputFile(positionals, 'CSV', usage);
      const report = await withDb(values.data, (db) =>
        audited(db, (q) => importGuests(q, {
          venueId,
          occasionId,
          csv,
          onProgress: (done, total) => process.stderr.write(`guests import: ${done}/${total} rows (${total ? Math.floor((done * 100) / total) : 100}%)\n`),
        }), async (r, q) => ({ ...(await tenantOf(q, 'venue', venueId)), action: 'guests.import', entity: 'occasion', entityId: occasionId, after: r })),
      );
      printJson(report);
      return true;
    }
    case 'tables import': {
      const { values, positionals } = parseOptions(rest, { ...DATA, venue: { type: 'string' } }, usage);
      const venueId = requireOption(values.venue, 'venue', usage);
      const csv = readInputFile(positionals, 'CSV', usage);
      printJson(await withDb(values.data, (db) => audited(db, (q) => importTables(q, venueId, csv), async (r, q) => ({ ...(await tenantOf(q, 'venue', venueId)), action: 'tables.import', entity: 'venue', entityId: venueId, after: r }))));
      return true;
    }
    case 'floorplan set': {
      const { values, positionals } = parseOptions(rest, { ...DATA, venue: { type: 'string' } }, usage);
      const venueId = requireOption(values.venue, 'venue', usage);
      const json = readInputFile(positionals, 'JSON', usage);
      printJson(await withDb(values.data, (db) => audited(db, (q) => setFloorPlan(q, venueId, json), async (r, q) => ({ ...(await tenantOf(q, 'venue', venueId)), action: 'floor_plan.set', entity: 'venue', entityId: venueId, after: r }))));
      return true;
    }
    case 'guest revoke':
    case 'guest delete': {
      const { values } = parseOptions(rest, { ...DATA, guest: { type: 'string' } }, usage);
      const guest = requireOption(values.guest, 'guest', usage);
      const action = verb === 'revoke' ? 'guest.revoke' : 'guest.delete';
      printJson(await withDb<unknown>(values.data, (db) => audited<unknown>(db, (q) => (verb === 'revoke' ? revokeGuest(q, guest) : deleteGuest(q, guest)), async (r, q) => ({ ...(await tenantOf(q, 'guest', guest)), action, entity: 'guest', entityId: guest, after: r }))));
      return true;
    }
    default:
      return false;
  }
}
