// `seatpilot pair` and `seatpilot doctor`: the two commands venue IT runs on the box.
import { CliError, parseOptions, printJson } from '../node-kit/cli';
import { formatReport, runDoctor } from './doctor';
import { DEFAULT_CONFIG_DIR, DEFAULT_DEFAULTS_DIR, PairingFailed, pairBox } from './pair';

const PAIR_USAGE = `usage: seatpilot pair (--cloud URL | --agent URL) --code CODE [--config-dir DIR] [--json]

  --cloud URL       pair with the cloud: a code from "seatpilot cloud device pair-code" (an agent, or a kiosk
                    that syncs with the cloud directly)
  --agent URL       pair a door's kiosk with the venue hub: a code from "seatpilot agent pair-code"
  --code CODE       the single-use code, as shown (case and dashes do not matter)
  --config-dir DIR  where the config files live (default ${DEFAULT_CONFIG_DIR}, or SEATPILOT_CONFIG_DIR)

Writes the device id and key into agent.json, kiosk.json or gateway.json in the config folder (mode 0600),
starting from the shipped template in ${DEFAULT_DEFAULTS_DIR} the first time. The secret is never printed.`;

const DOCTOR_USAGE = `usage: seatpilot doctor [--config FILE] [--config-dir DIR] [--json]

Checks the config, the SQLite file (integrity, migrations), the scanners, the hub or cloud (reachability, key,
clock skew), the outbox backlog, the guest list's age and free disk. One line per check; exit code 0 when nothing
failed, 1 otherwise. Without --config it checks agent.json and kiosk.json in the config folder (default
${DEFAULT_CONFIG_DIR}, or SEATPILOT_CONFIG_DIR).`;

const configDirOf = (v: string | undefined) => v ?? process.env.SEATPILOT_CONFIG_DIR ?? DEFAULT_CONFIG_DIR;

export async function pairCommand(args: string[]): Promise<void> {
  const { values } = parseOptions(args, { cloud: { type: 'string' }, agent: { type: 'string' }, code: { type: 'string' }, 'config-dir': { type: 'string' }, json: { type: 'boolean' } }, PAIR_USAGE);
  if (Boolean(values.cloud) === Boolean(values.agent)) throw new CliError(`give exactly one of --cloud URL or --agent URL\n${PAIR_USAGE}`, 2);
  if (!values.code) throw new CliError(`--code is required\n${PAIR_USAGE}`, 2);
  try {
    const outcome = await pairBox({
      url: (values.cloud ?? values.agent) as string,
      issuer: values.cloud ? 'cloud' : 'agent',
      code: values.code,
      configDir: configDirOf(values['config-dir']),
      defaultsDir: process.env.SEATPILOT_DEFAULTS_DIR ?? DEFAULT_DEFAULTS_DIR,
    });
    if (values.json) printJson(outcome);
    else {
      console.log(`paired: ${outcome.kind} ${outcome.device_id} of venue ${outcome.venue_id}; key ${outcome.key_id} written to ${outcome.file} (mode 0600)`);
      console.log(outcome.kind === 'agent' ? 'next: sudo systemctl restart seatpilot-agent, then sudo seatpilot doctor' : 'next: restart the kiosk app, then sudo seatpilot doctor');
    }
  } catch (e) {
    if (e instanceof PairingFailed) throw new CliError(e.message, 1);
    throw e;
  }
}

export async function doctorCommand(args: string[]): Promise<void> {
  const { values } = parseOptions(args, { config: { type: 'string' }, 'config-dir': { type: 'string' }, json: { type: 'boolean' } }, DOCTOR_USAGE);
  const report = await runDoctor({ config: values.config, configDir: configDirOf(values['config-dir']) });
  if (values.json) printJson(report);
  else console.log(formatReport(report));
  process.exitCode = report.ok ? 0 : 1;
}
