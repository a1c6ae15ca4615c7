// The one dispatcher of the `seatpilot` command, for the full command (cli/main.ts) and the appliance's box CLI
// (build/box-cli.ts), which hands it fewer commands.
import { CliError, printUsageAndExit } from './cli';
import { SecretKeyError } from './secret-box';

/** EX_CONFIG: a missing or wrong secret key file is the operator's to fix, and systemd stops retrying on it. */
const EX_CONFIG = 78;

export type Command = (args: string[]) => Promise<void>;
export type CommandTable = Record<string, { summary: string; load: () => Promise<Command> }>;

export async function dispatch(commands: CommandTable, argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    printUsageAndExit(
      ['usage: seatpilot <command> [options]', '', 'commands:', ...Object.entries(commands).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`)].join('\n'),
      name ? 0 : 2,
    );
  }
  const entry = commands[name as string];
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
    if (e instanceof SecretKeyError) {
      console.error(`seatpilot ${name}: ${e.message}`);
      process.exit(EX_CONFIG);
    }
    throw e;
  }
}
