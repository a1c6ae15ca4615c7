// Test helper: `seatpilot cloud <args>` run in this process (cloudCommand on the test's database), with the JSON lines
// it printed and the CliError it ended with, if any; any other error is the test's failure and is thrown.
import { vi } from 'vitest';
import { CliError } from '../node-kit/cli';
import { cloudCommand } from '../cloud-sync/cli';
import type { Db } from '../cloud-sync/db';

export async function cloudCliJson<T = Record<string, unknown>>(db: Db, args: string[]): Promise<{ results: T[]; error: CliError | undefined }> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((s: unknown) => void lines.push(String(s)));
  let error: CliError | undefined;
  try {
    await cloudCommand(args, db);
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    error = e;
  } finally {
    log.mockRestore();
  }
  return { results: lines.map((l) => JSON.parse(l) as T), error };
}
