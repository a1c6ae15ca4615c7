// Starts browser mode over an open kiosk runtime: builds the renderer bundle, serves it and the channel map.
import { buildRenderer, RENDERER_DIST } from '../build';
import { createHandlers } from '../ipc/handlers';
import type { KioskRuntime } from '../runtime';
import { EventHub } from './event-hub';
import { buildBrowserApp } from './server';

export interface BrowserMode {
  url: string;
  close(): Promise<void>;
}

export async function startBrowserMode(opts: { runtime: KioskRuntime; host: string; port: number; rendererDir?: string }): Promise<BrowserMode> {
  const rendererDir = await buildRenderer(opts.rendererDir ?? RENDERER_DIST);
  const events = new EventHub();
  const offScan = opts.runtime.onScan((s) => events.publish('scan', s));
  const offStatus = opts.runtime.onStatus((s) => events.publish('status', s));
  const handlers = createHandlers({
    service: opts.runtime.service,
    logError: (channel, e) => console.error(`kiosk ${channel}: ${(e as Error).message}`),
  });
  const loopback = opts.host === '127.0.0.1' || opts.host === 'localhost' || opts.host === '::1';
  // The Host check needs the real port, known only after listen: fill the list in then (it is read per request).
  const allowedHosts: string[] = [];
  const app = await buildBrowserApp({ handlers, events, rendererDir, allowedHosts });
  await app.listen({ host: opts.host, port: opts.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  if (loopback) allowedHosts.push(`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`);
  const shownHost = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${shownHost}:${port}/`,
    close: async () => {
      offScan();
      offStatus();
      await app.close();
    },
  };
}
