// The `seatpilot` command: dispatches to the process each subcommand belongs to.
import { CliError, printUsageAndExit } from './util';
import { SecretKeyError } from '../protocol/secret-box';

const EX_CONFIG = 78;

type Command = (args: string[]) => Promise<void>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  agent: { summary: 'the venue hub (edge agent) and pairing of kiosks to it', load: async () => (await import('../edge-agent/cli')).agentCommand },
  demo: { summary: 'the whole system on this machine: cloud, venue hub, two kiosks in browser mode, tablet page', load: async () => (await import('./demo')).demoCommand },
  cloud: { summary: 'the cloud service and its admin commands (tenants, venues, devices, keys, migrations)', load: async () => (await import('../cloud-sync/cli')).cloudCommand },
  doctor: { summary: 'health check of this box: config, database, scanners, hub/cloud, clock, backlog, disk', load: async () => (await import('../appliance/cli')).doctorCommand },
  hw: { summary: 'scanners, NFC readers and beacons: list devices, watch scans, decode reports, UIDs and beacon frames', load: async () => (await import('../hardware/cli')).hwCommand },
  kiosk: { summary: 'the door kiosk UI: --browser serves it over HTTP (Chromium kiosk mode, browser tests)', load: async () => (await import('../kiosk/cli')).kioskCommand },
  pair: { summary: 'pair this box with the cloud or the venue hub using a single-use code', load: async () => (await import('../appliance/cli')).pairCommand },
  seating: { summary: 'the seating engine: solve a seating problem (SYSTEM.md format) into a plan', load: async () => (await import('../seating/cli')).seatingCommand },
};

export async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    printUsageAndExit(
      ['usage: seatpilot <command> [options]', '', 'commands:', ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`)].join('\n'),
      name ? 0 : 2,
    );
  }
  const entry = COMMANDS[name as string];
  if (!entry) {
    console.error(`seatpilot: unknown command "${name}". Run "seatpilot --help" for the list.`);
    process.exit(2);
  }
  try {
    await (await entry.load())(rest);
  } catch (e) {
    if (e instanceof CliError) {
      console.error(`seatpilot ${name}: ${e.message}`);
      process.exit(e.exitCode);
    }
    // A missing or wrong secret key file is the operator's to fix: said once, and EX_CONFIG so systemd stops retrying.
    if (e instanceof SecretKeyError) {
      console.error(`seatpilot ${name}: ${e.message}`);
      process.exit(EX_CONFIG);
    }
    throw e;
  }
}
