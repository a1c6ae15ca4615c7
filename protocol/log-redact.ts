// Request log lines without secrets: fastify logs every request's URL, and a query string can carry a token (a tablet's
// link, a pairing code, a signed URL). Token-like parameters keep their name and lose their value.
import type { FastifyServerOptions } from 'fastify';

/** A parameter named like a credential, alone or as the end of a longer name (api_key, x-token, access-token). */
const SECRET_NAME = /(?:^|[_.-])(?:token|code|secret|key|sig|signature|session|password|passwd|pass|pin|auth|authorization|credential|jwt|nonce|otp)s?$/i;

export const REDACTED = '[redacted]';

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/** The URL with the value of each token-like query parameter replaced; path and other parameters exactly as sent. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const [query, hash = null] = url.slice(q + 1).split(/#(.*)/s, 2);
  const parts = (query ?? '').split('&').map((part) => {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    return eq >= 0 && SECRET_NAME.test(decodeName(name).trim()) ? `${name}=${REDACTED}` : part;
  });
  return `${url.slice(0, q)}?${parts.join('&')}${hash === null ? '' : `#${hash}`}`;
}

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** fastify's own request serializer (method, url, host, address, port), with the URL redacted. */
export function serializeRequest(req: LoggedRequest): Record<string, unknown> {
  return { method: req.method, url: redactUrl(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
}

/** The logger option for a service's fastify: the caller's settings with the redacting request serializer. */
export function withSafeRequestLogs(logger: FastifyServerOptions['logger'] | undefined): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const base = logger === true ? {} : logger;
  return { ...base, serializers: { ...base.serializers, req: serializeRequest as never } };
}
