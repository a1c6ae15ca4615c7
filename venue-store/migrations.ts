// The SQLite migrations the kiosk and the hub share: numbered files in venue-store/migrations/, applied by the one runner
// in sql/migrate.ts. Bundles copy the folder beside their code as <sql dir>/migrations (kiosk/main/layout.ts).
import { join } from 'node:path';
import { loadMigrations, type Migration } from '../sql/migrate';

export function venueMigrationsDir(): string {
  return join(import.meta.dirname, 'migrations');
}

export function loadVenueMigrations(): Migration[] {
  return loadMigrations(venueMigrationsDir());
}
