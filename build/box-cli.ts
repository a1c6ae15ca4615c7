// The `seatpilot` command as the appliance ships it: bundled by build/build.ts into dist/seatpilot.cjs and run by the
// packaged Electron in Node mode (ELECTRON_RUN_AS_NODE=1), so the agent and the kiosk share one native better-sqlite3
// build. Only the box's commands: the cloud and its PGlite stay out of the package.
import { CliError, printUsageAndExit } from '../cli/util';

type Command = (args: string[]) => Promise<void>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  agent: { summary: 'the venue hub (edge agent): run it, issue pairing codes for the doors', load: async () => (await import('../edge-agent/cli')).agentCommand },
  doctor: { summary: 'health check of this box', load: async () => (await import('../appliance/cli')).doctorCommand },
  hw: { summary: 'scanners, NFC readers and beacons: list devices, watch scans', load: async () => (await import('../hardware/cli')).hwCommand },
  pair: { summary: 'pair this box with the cloud or the venue hub using a single-use code', load: async () => (await import('../appliance/cli')).pairCommand },
};

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    printUsageAndExit(['usage: seatpilot <command> [options]', '', 'commands:', ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`)].join('\n'), name ? 0 : 2);
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
    throw e;
  }
}

void main(process.argv.slice(2));
