// Test helpers: a port nothing listens on, and a tiny HTTP server on 127.0.0.1 that plays an upstream with a wrong clock.
import { createServer, type Server } from 'node:http';

/** A port that was free a moment ago: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * An upstream whose clock is `skewMs` off: /health answers ok with that Date header, and a signed POST /v1/events is
 * refused as bad_envelope, as SeatPilot does for the doctor's empty batch once the key checks out.
 */
export async function skewedUpstream(skewMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const date = new Date(Date.now() + skewMs).toUTCString();
    req.resume();
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', date });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'GET' && req.url === '/health') send(200, { status: 'ok' });
      else if (req.method === 'POST' && req.url === '/v1/events') send(400, { error: 'bad_envelope' });
      else send(404, { error: 'not_found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}
