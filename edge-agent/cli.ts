// `seatpilot agent …`: runs the venue hub, and pairs the doors' kiosks (and beacon gateways) to it.
import { CliError, parseOptions, printJson, requireOption } from '../node-kit/cli';
import { openStore } from '../venue-store/open';
import { closeOnSignals } from '../node-kit/signals';
import { AgentConfigError, loadAgentConfig, type LoadedAgentConfig } from './config';
import { startAgent, type RunningAgent } from './runtime';
import { SettingError } from '../protocol/setting-error';
import { AgentPairing, AgentPairingError } from './pairing';
import { SdNotify } from './sd-notify';
import { AgentStore } from './store';
import { SecretBox } from '../node-kit/secret-box';
import { TABLET_USAGE, tabletCommand } from './tablet/cli';
import { existsSync } from 'node:fs';
import { verifyHubAudit } from './audit-log';

const USAGE = `usage: seatpilot agent --config FILE
       seatpilot agent kiosk add --config FILE --device DEVICE_ID [--kind kiosk|gateway]
       seatpilot agent key revoke --config FILE --key KEY_ID
       seatpilot agent key revoke-unreadable --config FILE
       seatpilot agent pair-code --config FILE --device DEVICE_ID [--kind kiosk|gateway] [--ttl-minutes 60]
${TABLET_USAGE}
       seatpilot agent audit verify (--config FILE | --database FILE)

The config file is JSON: {"venue_id", "device_id", "listen": {"host", "port"}, "database",
"cloud": {"url", "key_id", "secret"}, "push_interval_ms", "pull_interval_ms", "heartbeat_interval_s"}.
A kiosk's DEVICE_ID is the id the cloud issued it (seatpilot cloud device add --kind kiosk), so the cloud
accepts the events the agent relays for it. The doors' secrets are stored sealed with the key in "secret_key_file"
(default seatpilot-secrets.key beside the config file, made on first start): back it up apart from the database;
after losing it, key revoke-unreadable revokes the keys it sealed, and those doors are paired again.
A pair-code is single-use and expires: on the kiosk,
\`seatpilot pair --agent http://HUB:8600 --code CODE\` exchanges it for the kiosk's key.`;

function load(file: string): LoadedAgentConfig {
  try {
    return loadAgentConfig(file);
  } catch (e) {
    if (e instanceof AgentConfigError) throw new CliError(e.message);
    throw e;
  }
}

function withStore<T>(file: string, fn: (store: AgentStore) => T): T {
  const { config, databaseFile, secretKeyFile } = load(file);
  const secrets = SecretBox.load(secretKeyFile);
  const { db } = openStore(databaseFile);
  try {
    return fn(new AgentStore(db, config.venue_id, Date.now, secrets));
  } finally {
    db.close();
  }
}

export async function agentCommand(args: string[]): Promise<void> {
  if (await tabletCommand(args)) return;
  const [sub, verb, ...rest] = args;
  if (sub === 'kiosk' && verb === 'add') {
    const { values } = parseOptions(rest, { config: { type: 'string' }, device: { type: 'string' }, kind: { type: 'string', default: 'kiosk' } }, USAGE);
    const file = requireOption(values.config, 'config', USAGE);
    const device = requireOption(values.device, 'device', USAGE);
    if (values.kind !== 'kiosk' && values.kind !== 'gateway') throw new CliError(`--kind must be kiosk or gateway; got "${values.kind}"`, 2);
    const kind = values.kind;
    printJson(withStore(file, (s) => s.issueKey(device, kind)));
    return;
  }
  if (sub === 'pair-code') {
    const { values } = parseOptions(verb === undefined ? rest : [verb, ...rest], { config: { type: 'string' }, device: { type: 'string' }, kind: { type: 'string', default: 'kiosk' }, 'ttl-minutes': { type: 'string' } }, USAGE);
    const file = requireOption(values.config, 'config', USAGE);
    const device = requireOption(values.device, 'device', USAGE);
    if (values.kind !== 'kiosk' && values.kind !== 'gateway') throw new CliError(`--kind must be kiosk or gateway; got "${values.kind}"`, 2);
    const kind = values.kind;
    const ttl = values['ttl-minutes'] === undefined ? undefined : Number(values['ttl-minutes']);
    const { config } = load(file);
    printJson(
      withStore(file, (s) => {
        try {
          return new AgentPairing(s, config.venue_id).issue(device, kind, ttl !== undefined ? { ttlMinutes: ttl } : {});
        } catch (e) {
          if (e instanceof AgentPairingError) throw new CliError(e.message, 2);
          throw e;
        }
      }),
    );
    return;
  }
  if (sub === 'key' && verb === 'revoke-unreadable') {
    const { values } = parseOptions(rest, { config: { type: 'string' } }, USAGE);
    const file = requireOption(values.config, 'config', USAGE);
    printJson({ revoked: withStore(file, (s) => s.revokeUnreadableKeys()) });
    return;
  }
  if (sub === 'key' && verb === 'revoke') {
    const { values } = parseOptions(rest, { config: { type: 'string' }, key: { type: 'string' } }, USAGE);
    const file = requireOption(values.config, 'config', USAGE);
    const key = requireOption(values.key, 'key', USAGE);
    if (!withStore(file, (s) => s.revokeKey(key))) throw new CliError(`no key "${key}" on this agent`);
    printJson({ key_id: key, status: 'revoked' });
    return;
  }
  if (sub === 'audit' && verb === 'verify') {
    await auditVerify(rest);
    return;
  }
  if (sub !== undefined && !sub.startsWith('--')) throw new CliError(`unknown command "agent ${[sub, verb].filter(Boolean).join(' ')}"\n${USAGE}`, 2);
  const { values } = parseOptions(args, { config: { type: 'string' } }, USAGE);
  const file = requireOption(values.config, 'config', USAGE);
  const loaded = load(file);
  let running: RunningAgent;
  try {
    running = await startAgent({ ...loaded, logger: true });
  } catch (e) {
    if (e instanceof SettingError) throw new CliError(e.message);
    throw e;
  }
  // Say what is really bound: a hub on every interface is reachable from the whole LAN, not only from this box.
  const where = running.url === `http://${running.listenAddress}` ? running.url : `${running.listenAddress} (every interface; from this box ${running.url})`;
  console.error(`seatpilot agent: listening on ${where} for venue ${loaded.config.venue_id}${loaded.config.cloud ? `, cloud ${loaded.config.cloud.url}` : ', no cloud configured'}`);
  // Under systemd (Type=notify, WatchdogSec=): ready once listening; the watchdog is fed while SQLite answers.
  const sd = new SdNotify();
  if (running.metricsUrl) console.error(`seatpilot agent: metrics on ${running.metricsUrl}`);
  await sd.ready(`listening on ${where}`);
  sd.startWatchdog(async () => {
    await running.store.ping();
    return true;
  });
  closeOnSignals({ close: async () => (await sd.stopping(), running.close()) }, 'seatpilot agent');
}

/** One JSON line, the chain's state; exit 1 naming the first bad entry. */
async function auditVerify(rest: string[]): Promise<void> {
  const { values } = parseOptions(rest, { config: { type: 'string' }, database: { type: 'string' } }, USAGE);
  if ((values.config === undefined) === (values.database === undefined)) throw new CliError(`give --config FILE or --database FILE\n${USAGE}`, 2);
  const file = values.database ?? load(values.config as string).databaseFile;
  if (!existsSync(file)) throw new CliError(`no database file ${file}`);
  const { db } = openStore(file);
  try {
    const result = await verifyHubAudit(db);
    console.log(JSON.stringify(result));
    const b = result.broken;
    if (b) throw new CliError(`the hub's audit chain is broken at entry seq ${b.seq ?? '?'} (${b.action ?? 'gone'}, ${b.at ?? '?'}): ${b.reason}`);
  } finally {
    db.close();
  }
}
