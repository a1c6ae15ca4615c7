// `seatpilot seating …`: the seating engine for planners and third-party tools (format: SYSTEM.md, "Seating problem
// and plan").
import { readFileSync } from 'node:fs';
import { CliError, parseOptions } from '../node-kit/cli';
import { checkSeatingProblem } from '../core/seating/problem';
import { solveWithBound } from './exact';

const USAGE = `usage: seatpilot seating solve FILE.json [--time-limit-ms N] [--seed N] [--no-exact]

Prints the plan as one JSON object on stdout; exit 0 with a plan (also one that leaves parties unseated, each with its
reason), exit 2 when the file is not a seating problem (the message names the field).
  --time-limit-ms N  wall time for the whole solve, 10–600000 (default 2000)
  --seed N           the search's seed, 0–4294967295 (default 1): the same seed searches the same way
  --no-exact         skip HiGHS: no proof of optimality, the engine's own bound only`;

function intOption(value: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) throw new CliError(`--${name} must be a whole number from ${min} to ${max}\n${USAGE}`, 2);
  return n;
}

/** Line and column of a JSON syntax error, from the parser's position; the file's text itself is never repeated. */
function jsonErrorPlace(text: string, e: Error): string {
  const m = /position (\d+)/.exec(e.message);
  if (!m) return '';
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return ` at line ${line}, column ${column}`;
}

async function solveCommand(rest: string[]): Promise<void> {
  const { values, positionals } = parseOptions(rest, { 'time-limit-ms': { type: 'string' }, seed: { type: 'string' }, 'no-exact': { type: 'boolean' } }, USAGE);
  if (positionals.length !== 1) throw new CliError(`one problem file, please\n${USAGE}`, 2);
  const file = positionals[0]!;
  const timeLimitMs = intOption(values['time-limit-ms'], 'time-limit-ms', 10, 600_000, 2000);
  const seed = intOption(values.seed, 'seed', 0, 4_294_967_295, 1);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 2);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CliError(`${file} is not valid JSON${jsonErrorPlace(text, e as Error)}`, 2);
  }
  const checked = checkSeatingProblem(raw);
  if (!checked.ok) throw new CliError(`${file}: ${checked.errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, 2);
  const { plan } = await solveWithBound(checked.problem, { timeLimitMs, seed, exact: values['no-exact'] !== true });
  process.stdout.write(`${JSON.stringify(plan)}\n`);
}

export async function seatingCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'solve':
      return solveCommand(rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      console.log(USAGE);
      if (sub === undefined) process.exitCode = 2;
      return;
    default:
      throw new CliError(`unknown subcommand "${sub}"\n${USAGE}`, 2);
  }
}
