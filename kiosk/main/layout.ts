// The packaged kiosk app's file layout, in one place: the builders (kiosk/build.ts, build/build.ts) write it, the Electron
// main (main.ts) finds its preload, page and migrations by it, electron-builder.yml names it, build/packaging.test.ts checks it.
import { join } from 'node:path';

/** The app's folder inside the build output (dist/), and the files in it, relative to that folder: all side by side. */
export const KIOSK_APP_DIR = 'kiosk';
export const KIOSK_APP_LAYOUT = {
  main: 'main.cjs',
  preload: 'preload.cjs',
  /** renderer.js, index.html and styles.css. */
  renderer: 'renderer',
  /** The SQLite migrations, as venue-store/migrations.ts finds them: <sql>/migrations/0001_*.sql. */
  sql: 'sql',
} as const;

export interface KioskAppPaths {
  preload: string;
  indexHtml: string;
  sqlDir: string;
}

/** What the bundled main computes from its own folder (`__dirname` of main.cjs). */
export function kioskAppPaths(mainDir: string): KioskAppPaths {
  return {
    preload: join(mainDir, KIOSK_APP_LAYOUT.preload),
    indexHtml: join(mainDir, KIOSK_APP_LAYOUT.renderer, 'index.html'),
    sqlDir: join(mainDir, KIOSK_APP_LAYOUT.sql),
  };
}
