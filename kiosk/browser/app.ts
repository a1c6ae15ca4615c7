// Browser mode: the same renderer bundle and the same channel map as the Electron shell, over HTTP on the kiosk box
// (POST /ipc/:channel, Server-Sent Events on /events), for Chromium's kiosk mode and for browser tests.
import Fastify, { type FastifyInstance } from 'fastify';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KIOSK_CSP } from '../csp';
import type { IpcErrorCode, IpcResult } from '../ipc/channels';
import { dispatch, type Handlers } from '../ipc/handlers';
import { SCREEN_SOURCE } from '../ipc/pin-lockout';
import type { HostAllowlist } from './allowed-hosts';
import type { EventHub } from './event-hub';
import { KioskSession } from './session';
import { KIOSK_SESSION_HEADER, KIOSK_SESSION_QUERY } from './session-names';

export interface BrowserAppDeps {
  handlers: Handlers;
  events: EventHub;
  /** Where the built renderer lives (index.html, renderer.js, styles.css). */
  rendererDir: string;
  /**
   * Host header values the server answers (e.g. "127.0.0.1:3300"): a page elsewhere on the web cannot reach the kiosk
   * through DNS rebinding. There is no "any host": a LAN-bound kiosk answers its own addresses and --allowed-host names.
   */
  allowedHosts: HostAllowlist;
  /** The per-boot secret of the kiosk's own page; a fresh random one unless a test brings its own. */
  session?: KioskSession;
  /** How often an idle event stream gets a comment line, so proxies and the browser keep it open. */
  keepAliveMs?: number;
}

const STATIC: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/renderer.js': 'renderer.js',
  '/styles.css': 'styles.css',
};
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

function httpStatus(code: IpcErrorCode): number {
  switch (code) {
    case 'bad_request':
      return 400;
    case 'wrong_pin':
    case 'staff_locked':
    case 'no_session':
      return 403;
    case 'unknown_channel':
    case 'not_found':
      return 404;
    case 'too_many_attempts':
    case 'rate_limited':
      return 429;
    case 'disabled':
    case 'supervisor_required':
      return 403;
    case 'no_hub':
    case 'table_full':
    case 'needs_unmet':
    case 'nothing_to_revert':
    case 'no_occasion':
    case 'request_reused':
      return 409;
    case 'unavailable':
    case 'hub_unreachable':
      return 503;
    default: {
      const never: never = code;
      return never;
    }
  }
}

const failure = (code: IpcErrorCode, message: string): IpcResult<never> => ({ ok: false, error: { code, message } });

/**
 * The wrong-PIN lockout's bucket for a caller: this box itself is the kiosk's screen (its own Chromium, over loopback or
 * to its own LAN address, when both ends of the connection are the same address); a LAN client is its IPv4 address, or
 * its IPv6 /64 (one device can take any address of its prefix).
 */
export function callerSource(address: string | undefined, localAddress?: string): string {
  const a = (address ?? '').toLowerCase().split('%')[0]!.replace(/^::ffff:(?=\d+\.)/, '');
  if (a === '::1' || /^127\./.test(a)) return SCREEN_SOURCE;
  if (localAddress !== undefined && address === localAddress) return SCREEN_SOURCE;
  if (!a.includes(':')) return a;
  const [head, tail] = a.includes('::') ? a.split('::') : [a, null];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array<string>(tail === null ? 0 : Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export async function buildBrowserApp(deps: BrowserAppDeps): Promise<FastifyInstance> {
  // forceCloseConnections: open event streams must not hold up a shutdown.
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024, forceCloseConnections: true });
  const keepAliveMs = deps.keepAliveMs ?? 15_000;
  const files = new Map<string, Buffer>();
  const session = deps.session ?? new KioskSession();
  for (const name of new Set(Object.values(STATIC))) files.set(name, await readFile(join(deps.rendererDir, name)));
  files.set('index.html', Buffer.from(session.inject(files.get('index.html')!.toString('utf8'))));

  app.addHook('onRequest', async (req, reply) => {
    reply.header('content-security-policy', KIOSK_CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('cache-control', 'no-store');
    // The allowed names stay out of the answer: a rebinding page can read it.
    if (!deps.allowedHosts.allows(req.headers.host)) return reply.code(421).send(failure('bad_request', 'This kiosk does not answer on this host name.'));
    const path = req.url.split('?')[0]!;
    if (!path.startsWith('/ipc/') && path !== '/events') return;
    // A cross-site page may post to 127.0.0.1 from a guest's browser; only the kiosk's own page may call the channels.
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) {
      return reply.code(403).send(failure('bad_request', 'Cross-origin calls to the kiosk are not allowed.'));
    }
    // Every channel, reads included: kiosk.setup and kiosk.status describe the venue, staff.unlock is a PIN oracle, and
    // /events carries every scan (NFC UIDs too). Only the page served by this boot knows the secret.
    const presented = path === '/events' ? (req.query as Record<string, string | string[] | undefined>)[KIOSK_SESSION_QUERY] : req.headers[KIOSK_SESSION_HEADER];
    if (!session.matches(presented)) {
      return reply.code(403).send(failure('no_session', 'Open the kiosk page again: this request does not carry its session.'));
    }
  });

  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 413) return reply.code(413).send(failure('bad_request', 'The request is too large.'));
    if (status === 415) return reply.code(415).send(failure('bad_request', 'Send the request as application/json.'));
    if (status < 500) return reply.code(status).send(failure('bad_request', err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/.test(err.message) ? 'The request body is not valid JSON.' : err.message));
    return reply.code(500).send(failure('unavailable', 'The kiosk could not complete this.'));
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send(failure('not_found', 'No such page.')));

  for (const [path, name] of Object.entries(STATIC)) {
    app.get(path, async (_req, reply) => reply.type(TYPES[name.split('.').pop()!]!).send(files.get(name)));
  }

  app.post<{ Params: { channel: string } }>('/ipc/:channel', async (req, reply) => {
    const result = await dispatch(deps.handlers, req.params.channel, req.body, { source: callerSource(req.socket.remoteAddress, req.socket.localAddress) });
    return reply.code(result.ok ? 200 : httpStatus(result.error.code)).send(result);
  });

  app.get('/events', (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
    });
    res.write(': connected\n\n');
    const off = deps.events.subscribe((event, payload) => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`);
    });
    const timer = setInterval(() => res.write(': keep-alive\n\n'), keepAliveMs);
    req.raw.on('close', () => {
      clearInterval(timer);
      off();
    });
  });

  return app;
}
