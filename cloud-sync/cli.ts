// `seatpilot cloud …`: the cloud service and its admin commands. Every command works on PGlite (--data) or DATABASE_URL.
import { resolve } from 'node:path';
import { openDb, type Db } from './db';
import { migratePostgres } from '../sql/migrate';
import { CliError, parseOptions, printJson } from '../cli/util';
import { isOpsCommand, opsCommand, OPS_USAGE } from './ops/cli';

const USAGE = `usage: seatpilot cloud [serve] [--host 127.0.0.1] [--port 8080] [--data DIR]
       seatpilot cloud migrate [--data DIR]
${OPS_USAGE}

Runs on embedded PGlite in DIR (default ./data/cloud) unless DATABASE_URL is set.`;

export async function openCloudDb(dataDir: string | undefined): Promise<Db> {
  return openDb({ databaseUrl: process.env.DATABASE_URL, dataDir: resolve(dataDir ?? 'data/cloud') });
}

async function withDb<T>(dataDir: string | undefined, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openCloudDb(dataDir);
  try {
    await migratePostgres(db);
    return await fn(db);
  } finally {
    await db.close();
  }
}

export async function cloudCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'migrate': {
      const { values } = parseOptions(rest, { data: { type: 'string' } }, USAGE);
      const db = await openCloudDb(values.data);
      try {
        printJson(await migratePostgres(db));
      } finally {
        await db.close();
      }
      return;
    }
    default:
      if (isOpsCommand(sub)) return opsCommand(sub, rest, withDb);
      throw new CliError(`unknown subcommand "${sub ?? ''}"\n${USAGE}`, 2);
  }
}
