// Test helpers: a port nothing listens on, and a tiny HTTP server on 127.0.0.1 that plays an upstream with a wrong clock.
import { createServer, type Server } from 'node:http';
import { checkHeaders, sha256Hex, verifySignature } from '../core/signing';

/** A port that was free a moment ago: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * An upstream whose clock is `skewMs` off: /health answers ok with that Date header; POST /v1/events checks the request
 * as SYSTEM.md's wire contract says (the four headers, ±300 s of its own clock, the HMAC over the six lines with the
 * raw body's hash, nonces never reused) against `keys` (key id → secret), answering 401 with the contract's code, and
 * refuses a batch that passed as bad_envelope, as SeatPilot does for the doctor's empty batch once the key checks out.
 */
export async function skewedUpstream(skewMs: number, keys: Record<string, string>): Promise<{ url: string; close(): Promise<void> }> {
  const seenNonces = new Set<string>();
  const server: Server = createServer((req, res) => {
    const now = Date.now() + skewMs;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', date: new Date(now).toUTCString() });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'GET' && req.url === '/health') return send(200, { status: 'ok' });
      if (req.method !== 'POST' || req.url !== '/v1/events') return send(404, { error: 'not_found' });
      void (async () => {
        const checked = checkHeaders(req.headers, Math.floor(now / 1000));
        if (!checked.ok) return send(401, { error: checked.error });
        const secret = keys[checked.value.keyId];
        if (secret === undefined) return send(401, { error: 'unknown_key' });
        const body = Buffer.concat(chunks);
        const valid = await verifySignature(secret, checked.value, { method: req.method ?? '', pathWithQuery: req.url ?? '', bodySha256Hex: await sha256Hex(body) });
        if (!valid) return send(401, { error: 'bad_signature' });
        const nonce = `${checked.value.keyId} ${checked.value.nonce}`;
        if (seenNonces.has(nonce)) return send(401, { error: 'replayed_nonce' });
        seenNonces.add(nonce);
        send(400, { error: 'bad_envelope' });
      })().catch(() => send(500, { error: 'internal' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}
