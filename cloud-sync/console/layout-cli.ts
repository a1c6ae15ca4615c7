// `seatpilot cloud layout …`: a venue's Seat Designer layout from the shell, by the console's own code
// (routes/layout-store.ts, routes/layout-publish.ts): show the draft, import one from a file, publish it, list the
// published versions, restore one as the draft. Changes are audited as `cli:<os user>` in their transaction.
import { CliError, parseOptions, printJson, requireOption } from '../../node-kit/cli';
import { ajv, describeErrors } from '../../core/contract/validate';
import { LayoutSchema, type Layout } from '../../core/designer/layout';
import { AdminError } from '../admin';
import type { Db, Queryable } from '../db';
import { cliActor } from '../guestlist/cli-audit';
import { readInputFile } from '../guestlist/cli';
import { recordAudit } from './audit';
import { ConsoleError } from './errors';
import { confirmationNeeded, previewPublish, publishLayout } from './routes/layout-publish';
import { draftAnswer, getDraft, listVersions, loadDraft, restoreVersion, saveDraft } from './routes/layout-store';

export const LAYOUT_USAGE = `       seatpilot cloud layout show --venue V                           [--data DIR]
       seatpilot cloud layout import --venue V FILE.json               [--data DIR]
       seatpilot cloud layout publish --venue V [--yes] [--note TEXT]  [--data DIR]
       seatpilot cloud layout versions --venue V                       [--data DIR]
       seatpilot cloud layout restore --venue V --version N            [--data DIR]`;

type WithDb = <T>(dataDir: string | undefined, fn: (db: Db) => Promise<T>) => Promise<T>;

const DATA = { data: { type: 'string' as const } };
const validateLayout = ajv.compile(LayoutSchema);

async function venueTenant(q: Queryable, venueId: string): Promise<{ tenantId: string; venueId: string }> {
  const [v] = await q.query<{ tenant_id: string }>('SELECT tenant_id FROM seatpilot.venues WHERE id = $1', [venueId]);
  if (!v) throw new AdminError(`no venue "${venueId}"`);
  return { tenantId: v.tenant_id, venueId };
}

/** A Layout, or what `layout show` printed (the draft, with the layout in it). */
export function parseLayoutFile(json: string): Layout {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    throw new CliError(`the layout is not valid JSON: ${(e as Error).message}`);
  }
  const layout = doc && typeof doc === 'object' && !Array.isArray(doc) && 'layout' in doc && !('format' in doc) ? (doc as { layout: unknown }).layout : doc;
  if (!validateLayout(layout)) throw new CliError(`the layout does not match the Seat Designer's schema: ${describeErrors(validateLayout)}`);
  return layout as Layout;
}

/** Runs a `layout` command; false when `verb` is not one of them. */
export async function layoutCommand(verb: string | undefined, rest: string[], withDb: WithDb, usage: string): Promise<boolean> {
  try {
    return await run(verb, rest, withDb, usage);
  } catch (e) {
    // The console's errors read as the CLI's: their message, exit code 1.
    if (e instanceof ConsoleError) throw new CliError(e.message);
    throw e;
  }
}

async function run(verb: string | undefined, rest: string[], withDb: WithDb, usage: string): Promise<boolean> {
  const venueOnly = { ...DATA, venue: { type: 'string' as const } };
  switch (verb) {
    case 'show': {
      const { values } = parseOptions(rest, venueOnly, usage);
      const venueId = requireOption(values.venue, 'venue', usage);
      printJson(await withDb(values.data, (db) => db.tx(async (q) => getDraft(q, (await venueTenant(q, venueId)).venueId))));
      return true;
    }
    case 'versions': {
      const { values } = parseOptions(rest, venueOnly, usage);
      const venueId = requireOption(values.venue, 'venue', usage);
      printJson(await withDb(values.data, (db) => db.tx(async (q) => listVersions(q, (await venueTenant(q, venueId)).venueId))));
      return true;
    }
    case 'import': {
      const { values, positionals } = parseOptions(rest, venueOnly, usage);
      const venueId = requireOption(values.venue, 'venue', usage);
      const layout = parseLayoutFile(readInputFile(positionals, 'JSON', usage));
      const who = cliActor();
      printJson(await withDb(values.data, (db) => db.tx(async (q) => {
        const target = await venueTenant(q, venueId);
        // The operator's file replaces the draft whatever its revision: a planner's open page then reloads on conflict.
        const saved = await saveDraft(q, target, null, layout, who.actor, new Date());
        await recordAudit(q, who, { tenantId: target.tenantId, action: 'layout.import', entity: 'layout', entityId: venueId, venueId, after: { revision: saved.revision, tables: layout.tables.length, doors: layout.doors.length } });
        return draftAnswer(q, venueId, saved);
      })));
      return true;
    }
    case 'restore': {
      const { values } = parseOptions(rest, { ...venueOnly, version: { type: 'string' } }, usage);
      const venueId = requireOption(values.venue, 'venue', usage);
      const text = requireOption(values.version, 'version', usage);
      if (!/^[1-9]\d{0,8}$/.test(text)) throw new CliError(`--version must be a version number (1, 2, …); got "${text}"`, 2);
      const version = Number(text);
      const who = cliActor();
      printJson(await withDb(values.data, (db) => db.tx(async (q) => {
        const target = await venueTenant(q, venueId);
        const restored = await restoreVersion(q, target, version, null, who.actor, new Date());
        await recordAudit(q, who, { tenantId: target.tenantId, action: 'layout.restore', entity: 'layout', entityId: venueId, venueId, after: { version, revision: restored.revision } });
        return draftAnswer(q, venueId, restored);
      })));
      return true;
    }
    case 'publish': {
      const { values } = parseOptions(rest, { ...venueOnly, yes: { type: 'boolean' }, note: { type: 'string' } }, usage);
      const venueId = requireOption(values.venue, 'venue', usage);
      const yes = values.yes === true;
      if (values.note !== undefined && values.note.length > 200) throw new CliError('--note is at most 200 characters', 2);
      printJson(await withDb(values.data, (db) => db.tx(async (q) => {
        await venueTenant(q, venueId);
        const { revision } = await loadDraft(q, venueId);
        const now = new Date();
        if (!yes) {
          // The same question the console's page asks, answered on the command line: --yes.
          const why = confirmationNeeded(await previewPublish(q, venueId, revision, now), {});
          if (why) throw new CliError(`not published: ${why}. Run again with --yes to publish anyway.`);
        }
        return publishLayout(q, cliActor(), venueId, { revision, confirm_live: yes, unseat_removed: yes, ...(values.note ? { note: values.note } : {}) }, now);
      })));
      return true;
    }
    default:
      return false;
  }
}
