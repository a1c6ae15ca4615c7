// Test helper: an HTTP server on 127.0.0.1 that stands where a venue's network puts things between two tiers. It
// forwards to the real receiver, or answers as a hotel's captive portal does (200 text/html to everything), as a proxy
// with a small body limit does (413), or with whatever status and body a test sets.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type FrontMode =
  | { kind: 'forward' }
  | { kind: 'portal' }
  | { kind: 'answer'; status: number; headers?: Record<string, string>; body: string }
  | { kind: 'drop' };

export interface FrontServer {
  url: string;
  mode: FrontMode;
  /** Forwarded requests whose body is larger than this get a proxy's 413 page instead. */
  bodyLimit: number;
  /** Requests seen, by path (query stripped). */
  requests: { method: string; path: string; bytes: number }[];
  close(): Promise<void>;
}

export const PORTAL_PAGE = '<!doctype html><html><head><title>Hotel Wi-Fi</title></head><body><h1>Welcome! Accept the terms to browse.</h1></body></html>';

export async function startFront(target: string, mode: FrontMode = { kind: 'forward' }): Promise<FrontServer> {
  const base = new URL(target);
  const front: FrontServer = { url: '', mode, bodyLimit: Infinity, requests: [], close: async () => {} };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      front.requests.push({ method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0] as string, bytes: body.length });
      const m = front.mode;
      if (m.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      if (m.kind === 'portal') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PORTAL_PAGE);
        return;
      }
      if (m.kind === 'answer') {
        res.writeHead(m.status, m.headers ?? {}).end(m.body);
        return;
      }
      if (body.length > front.bodyLimit) {
        res.writeHead(413, { 'content-type': 'text/html' }).end('<html><body><h1>413 Request Entity Too Large</h1></body></html>');
        return;
      }
      const up = httpRequest(
        { host: base.hostname, port: base.port, method: req.method, path: req.url, headers: { ...req.headers, host: base.host } },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        },
      );
      up.on('error', () => res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>502 Bad Gateway</body></html>'));
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  front.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  front.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return front;
}
