// The console API's one error type and its mapping: the documented codes of core/console/errors.ts, never a 500 for
// what a person sent. The CLI's own errors (AdminError: a field's message; ImportError: bad rows) keep their words.
import type { FastifyError, FastifyInstance } from 'fastify';
import { CONSOLE_ERRORS, type ConsoleErrorBody, type ConsoleErrorCode } from '../../core/console/errors';
import { AdminError } from '../admin';
import { ImportError } from '../guestlist/common';

export class ConsoleError extends Error {
  override name = 'ConsoleError';
  constructor(
    readonly code: ConsoleErrorCode,
    message: string,
    readonly extra: Pick<ConsoleErrorBody, 'problems' | 'retry_after_s' | 'refusal' | 'preview'> = {},
  ) {
    super(message);
  }
  get status(): number {
    return CONSOLE_ERRORS[this.code];
  }
}

export const notFound = (what: string) => new ConsoleError('not_found', `${what} was not found`);

/** The ConsoleError an error stands for, or null for an internal fault (a 5xx whose details stay in the log). */
export function consoleErrorOf(err: unknown): ConsoleError | null {
  if (err instanceof ConsoleError) return err;
  if (err instanceof ImportError) return new ConsoleError('import_refused', err.message, { problems: err.problems });
  if (err instanceof AdminError) {
    // "no venue …", "no guest …": for another tenant's id too, so nobody learns that it exists.
    return /^no [a-z ]+ "/.test(err.message) ? new ConsoleError('not_found', err.message) : new ConsoleError('bad_request', err.message);
  }
  const f = err as FastifyError;
  if (f?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ConsoleError('payload_too_large', 'the file is too large');
  if (f?.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || f?.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return new ConsoleError('bad_request', 'the request is not valid JSON');
  if (f?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new ConsoleError('bad_request', 'unsupported content type');
  if (f?.validation) return new ConsoleError('bad_request', f.message);
  if (typeof f?.statusCode === 'number' && f.statusCode >= 400 && f.statusCode < 500) {
    return new ConsoleError(f.statusCode === 404 ? 'not_found' : 'bad_request', f.message);
  }
  // Postgres: the row-level security of seatpilot_console refused a write (another tenant's row); a unique violation.
  if (f?.code === '42501') return new ConsoleError('not_found', 'that was not found');
  if (f?.code === '23505') return new ConsoleError('conflict', 'that already exists');
  return null;
}

export function installConsoleErrors(app: FastifyInstance, fallback: (err: FastifyError) => unknown): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const mapped = consoleErrorOf(err);
    if (!mapped) return fallback(err);
    if (mapped.extra.retry_after_s) reply.header('retry-after', String(mapped.extra.retry_after_s));
    const body: ConsoleErrorBody = { error: mapped.code, message: mapped.message, ...mapped.extra };
    return reply.code(mapped.status).send(body);
  });
}
