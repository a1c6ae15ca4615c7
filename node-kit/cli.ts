// Small helpers shared by the CLI commands: option parsing with clear errors, JSON output.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** An error meant for the person at the terminal: printed without a stack, with a non-zero exit code. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

export function printUsageAndExit(text: string, code = 2): never {
  (code === 0 ? console.log : console.error)(text);
  process.exit(code);
}

export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new CliError(`${(e as Error).message}\n${usage}`, 2);
  }
}

export function requireOption(value: string | undefined, name: string, usage: string): string {
  if (!value) throw new CliError(`--${name} is required\n${usage}`, 2);
  return value;
}

export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}
