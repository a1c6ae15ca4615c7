// `seatpilot agent pair-tablet | tablet list|revoke | beacon-tag assign|unassign`: staff tablets and beacon tags,
// run on the hub against the agent's SQLite file (the agent may be running: SQLite in WAL mode takes both).
import { CliError, parseOptions, printJson, requireOption } from '../../node-kit/cli';
import { openStore } from '../../venue-store/open';
import { SqliteOutbox } from '../../venue-store/outbox';
import { AgentConfigError, loadAgentConfig } from '../config';
import { TabletStore } from './store';

export const TABLET_USAGE = `       seatpilot agent pair-tablet --config FILE [--label NAME] [--ttl-minutes 10] [--role steward|supervisor] [--host]
       seatpilot agent tablet list --config FILE
       seatpilot agent tablet revoke --config FILE --tablet TABLET_ID
       seatpilot agent beacon-tag assign --config FILE --tag TAG --guest GUEST_ID
       seatpilot agent beacon-tag unassign --config FILE --tag TAG

A pairing code is typed once on a tablet opened at http://HUB:PORT/tablet; it works once and expires. The tablet works
with the code's role (default steward; a supervisor's tablet may also do what needs a supervisor). A --host tablet (the
host stand) is alerted of every VIP's arrival, whatever tables it shows.
A beacon TAG is the beacon's key as "seatpilot hw beacon" prints it (ibeacon:UUID:MAJOR:MINOR or eddystone:NS:INSTANCE).`;

function withTablets<T>(file: string, fn: (t: TabletStore) => T): T {
  let loaded;
  try {
    loaded = loadAgentConfig(file);
  } catch (e) {
    if (e instanceof AgentConfigError) throw new CliError(e.message);
    throw e;
  }
  const { db } = openStore(loaded.databaseFile);
  try {
    return fn(new TabletStore(db, new SqliteOutbox(db), { venueId: loaded.config.venue_id, deviceId: loaded.config.device_id, undoMs: 0 }));
  } finally {
    db.close();
  }
}

/** Handles the tablet and beacon-tag subcommands; false when `args` is none of them. */
export async function tabletCommand(args: string[]): Promise<boolean> {
  const [sub, verb, ...rest] = args;
  if (sub === 'pair-tablet') {
    const { values } = parseOptions([verb, ...rest].filter((x): x is string => x !== undefined), { config: { type: 'string' }, label: { type: 'string', default: 'Tablet' }, 'ttl-minutes': { type: 'string', default: '10' }, role: { type: 'string', default: 'steward' }, host: { type: 'boolean', default: false } }, TABLET_USAGE);
    const file = requireOption(values.config, 'config', TABLET_USAGE);
    const ttl = Number(values['ttl-minutes']);
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 1440) throw new CliError(`--ttl-minutes must be a whole number from 1 to 1440; got "${values['ttl-minutes']}"`, 2);
    const role = values.role;
    if (role !== 'steward' && role !== 'supervisor') throw new CliError(`--role is "steward" or "supervisor"; got "${String(role)}"`, 2);
    const code = withTablets(file, (t) => t.createPairingCode({ label: values.label as string, createdBy: 'cli', ttlMs: ttl * 60_000, role, host: values.host === true }));
    printJson(code);
    return true;
  }
  if (sub === 'tablet' && verb === 'list') {
    const { values } = parseOptions(rest, { config: { type: 'string' } }, TABLET_USAGE);
    printJson(withTablets(requireOption(values.config, 'config', TABLET_USAGE), (t) => t.listTablets()));
    return true;
  }
  if (sub === 'tablet' && verb === 'revoke') {
    const { values } = parseOptions(rest, { config: { type: 'string' }, tablet: { type: 'string' } }, TABLET_USAGE);
    const file = requireOption(values.config, 'config', TABLET_USAGE);
    const id = requireOption(values.tablet, 'tablet', TABLET_USAGE);
    if (!withTablets(file, (t) => t.revokeTablet(id))) throw new CliError(`no paired tablet "${id}" on this agent (or it was already revoked)`);
    printJson({ tablet_id: id, status: 'revoked' });
    return true;
  }
  if (sub === 'beacon-tag' && (verb === 'assign' || verb === 'unassign')) {
    const { values } = parseOptions(rest, { config: { type: 'string' }, tag: { type: 'string' }, guest: { type: 'string' } }, TABLET_USAGE);
    const file = requireOption(values.config, 'config', TABLET_USAGE);
    const tag = requireOption(values.tag, 'tag', TABLET_USAGE);
    if (verb === 'assign') {
      const guest = requireOption(values.guest, 'guest', TABLET_USAGE);
      if (withTablets(file, (t) => t.assignTag(tag, guest)) === 'unknown_guest') throw new CliError(`no guest "${guest}" in this agent's guest list`);
      printJson({ tag, guest_id: guest });
    } else {
      if (!withTablets(file, (t) => t.unassignTag(tag))) throw new CliError(`tag "${tag}" is not assigned`);
      printJson({ tag, status: 'unassigned' });
    }
    return true;
  }
  return false;
}
