// `seatpilot cloud user …`: the console's accounts from the shell (to be built).
import type { Db } from '../../db';

export const USER_USAGE = '';

type WithDb = <T>(dataDir: string | undefined, fn: (db: Db) => Promise<T>) => Promise<T>;

/** Runs a user command; false when `sub` is not `user`. */
export async function userCommand(_sub: string, _verb: string | undefined, _rest: string[], _withDb: WithDb, _usage: string): Promise<boolean> {
  return false;
}
