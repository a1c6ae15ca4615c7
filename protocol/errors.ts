// The one mapping from errors to the documented 4xx codes; internals of 5xx stay hidden.
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { WireErrorCode } from '../core/contract/contract';

export class WireError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: WireErrorCode,
    message?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? code);
  }
}

export function sendError(reply: FastifyReply, err: WireError): FastifyReply {
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  const body: { error: string; message?: string } = { error: err.code };
  if (err.message && err.message !== err.code) body.message = err.message;
  return reply.code(err.statusCode).send(body);
}

function fromFastify(err: FastifyError): WireError | null {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new WireError(415, 'unsupported_media_type', 'send the body as application/json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new WireError(413, 'payload_too_large', 'the body is over 1 MiB; send smaller batches');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new WireError(400, 'bad_json', 'the body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new WireError(400, 'bad_request', 'content-length does not match the body');
    default:
      break;
  }
  if (err.validation) return new WireError(400, 'bad_request', err.message);
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return new WireError(err.statusCode, err.statusCode === 404 ? 'not_found' : 'bad_request', err.message);
  }
  return null;
}

// Faults that mean "try again shortly", nothing was stored. PostgreSQL SQLSTATEs: deadlock, serialization failure,
// lock timeout, statement timeout (57014), too many connections, admin/crash shutdown, cannot connect now, connection
// failures (08xxx). DB_UNAVAILABLE: no connection in time (cloud-sync/db.ts: server unreachable, or the pool full
// past its connect timeout). SQLite's busy/locked likewise; and the socket errors of a server that went away.
const TRANSIENT_CODES = new Set([
  '40P01', '40001', '55P03', '57014', '53300', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006',
  'DB_UNAVAILABLE', 'SQLITE_BUSY', 'SQLITE_LOCKED', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE',
]);

/** Seconds a client is asked to wait: a database that cannot be reached at all gets longer than a busy one. */
function retryAfterSeconds(code: string): string {
  return code === 'DB_UNAVAILABLE' || code.startsWith('08') || code.startsWith('E') ? '5' : '1';
}

/**
 * SQLite faults of the receiver's own disk (a hub whose disk is full or failing): nothing was stored, the sender keeps
 * the batch and retries later, and the hub's health says what is wrong.
 */
function isLocalStorageFault(code: string): boolean {
  return code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
}

export interface ErrorHandlingOptions {
  /** Told of a storage fault behind a 503 (the hub's store health records it). */
  onStorageFault?: (err: Error) => void;
}

export function installErrorHandling(app: FastifyInstance, opts: ErrorHandlingOptions = {}): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof WireError) return sendError(reply, err);
    const mapped = fromFastify(err);
    if (mapped) return sendError(reply, mapped);
    if (typeof err.code === 'string' && isLocalStorageFault(err.code)) {
      request.log.warn({ code: err.code }, 'storage fault; asked the client to retry later');
      try {
        opts.onStorageFault?.(err);
      } catch {
        // the answer matters more than the bookkeeping
      }
      return sendError(reply, new WireError(503, 'unavailable', 'the receiver cannot store events right now (its disk); retry later', { 'retry-after': '5' }));
    }
    if (typeof err.code === 'string' && TRANSIENT_CODES.has(err.code)) {
      request.log.warn({ code: err.code }, 'transient storage error; asked the client to retry');
      return sendError(reply, new WireError(503, 'unavailable', 'storage is busy or unreachable; retry shortly', { 'retry-after': retryAfterSeconds(err.code) }));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: 'internal_error' });
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, new WireError(404, 'not_found', `no route for ${request.method} ${request.url.split('?')[0]}`)));
}
