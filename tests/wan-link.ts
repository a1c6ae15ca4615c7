// Test helper: the venue's internet link as a plain TCP proxy on 127.0.0.1 between the hub and the cloud. `cut()`
// drops every connection open through it and resets each new one (the hub sees the cloud unreachable, whatever it
// sends); `restore()` forwards again. Nothing of HTTP is looked at: the hub's own clients meet a real outage.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface WanLink {
  /** http://127.0.0.1:PORT: what the hub is configured to call its cloud. */
  url: string;
  readonly up: boolean;
  /** Connections refused while cut (proof that the hub did try). */
  readonly refused: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startWanLink(target: string): Promise<WanLink> {
  const to = new URL(target);
  const open = new Set<Socket>();
  let up = true;
  let refused = 0;
  const server: Server = createServer((inbound) => {
    if (!up) {
      refused++;
      inbound.resetAndDestroy();
      return;
    }
    const outbound = connect({ host: to.hostname, port: Number(to.port) });
    open.add(inbound);
    open.add(outbound);
    const drop = () => {
      open.delete(inbound);
      open.delete(outbound);
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', drop).on('close', drop);
    outbound.on('error', drop).on('close', drop);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get up() {
      return up;
    },
    get refused() {
      return refused;
    },
    cut() {
      up = false;
      // Keep-alive connections opened before the cut must not carry anything after it.
      for (const s of [...open]) s.resetAndDestroy();
      open.clear();
    },
    restore() {
      up = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of [...open]) s.destroy();
        open.clear();
        server.close(() => resolve());
      }),
  };
}
