// Browser mode's server: builds the renderer bundle, then serves it and the channel map (the fastify app of app.ts) and listens.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHandlers } from '../ipc/handlers';
import { KIOSK_APP_DIR, KIOSK_APP_LAYOUT } from '../main/layout';
import type { KioskRuntime } from '../runtime';
import { HostAllowlist } from './allowed-hosts';
import { EventHub } from './event-hub';
import { buildBrowserApp } from './app';

export interface BrowserMode {
  url: string;
  /** The Host values answered (the bound address with its port, this box's addresses for 0.0.0.0, --allowed-host). */
  allowedHosts: string[];
  close(): Promise<void>;
}

/** The prebuilt renderer of `npm run build:kiosk`, used where esbuild is not installed (a production install). */
const PREBUILT = join(import.meta.dirname, '..', '..', 'dist', KIOSK_APP_DIR, KIOSK_APP_LAYOUT.renderer);

/** Bundles the renderer from source when esbuild is at hand, else serves the prebuilt one. */
async function rendererBundle(outDir: string | undefined): Promise<{ dir: string; temporary: boolean }> {
  let buildRenderer: (dir: string) => Promise<string>;
  try {
    ({ buildRenderer } = await import('../build'));
  } catch {
    if (existsSync(join(PREBUILT, 'index.html'))) return { dir: PREBUILT, temporary: false };
    throw new Error('the kiosk renderer is not built and esbuild is not installed: run "npm run build:kiosk" where it is');
  }
  if (outDir) return { dir: await buildRenderer(outDir), temporary: false };
  // A folder of its own per start: two kiosks (or a test and a bench) never write over each other's bundle.
  return { dir: await buildRenderer(mkdtempSync(join(tmpdir(), 'seatpilot-renderer-'))), temporary: true };
}

export async function startBrowserMode(opts: { runtime: KioskRuntime; host: string; port: number; rendererDir?: string; allowedHosts?: string[] }): Promise<BrowserMode> {
  const bundle = await rendererBundle(opts.rendererDir);
  const rendererDir = bundle.dir;
  const events = new EventHub();
  const offScan = opts.runtime.onScan((s) => events.publish('scan', s));
  const offStatus = opts.runtime.onStatus((s) => events.publish('status', s));
  const handlers = createHandlers({
    service: opts.runtime.service,
    logError: (channel, e) => console.error(`kiosk ${channel}: ${(e as Error).message}`),
  });
  // The Host check needs the real port, known only after listen: the list is bound then (it answers nothing before).
  const allowedHosts = new HostAllowlist();
  const app = await buildBrowserApp({ handlers, events, rendererDir, allowedHosts });
  await app.listen({ host: opts.host, port: opts.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  allowedHosts.bind(opts.host, port, opts.allowedHosts ?? []);
  const shownHost = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${shownHost}:${port}/`,
    allowedHosts: allowedHosts.list(),
    close: async () => {
      offScan();
      offStatus();
      await app.close();
      if (bundle.temporary) rmSync(bundle.dir, { recursive: true, force: true });
    },
  };
}
