// What the tablet, beacon and staff routes share: the refusal body, reading a JSON body (raw Buffer on the signed
// routes, for the signature) against a schema, and the signed caller of a route meant for one kind of key.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ValidateFunction } from 'ajv';
import type { TabletErrorBody, TabletErrorCode } from '../../core/contract/staff';
import { describeErrors } from '../../core/contract/validate';
import { authenticate } from '../../protocol/auth';
import { WireError } from '../../protocol/errors';
import type { Caller } from '../../protocol/store';
import type { AgentStore } from '../store';

export function fail(reply: FastifyReply, status: number, error: TabletErrorCode, message: string, extra: Omit<TabletErrorBody, 'error' | 'message'> = {}): FastifyReply {
  return reply.code(status).send({ error, message, ...extra } satisfies TabletErrorBody);
}

export function parseBody<T>(request: FastifyRequest, validate: ValidateFunction): T {
  const raw = request.body;
  let value: unknown = raw;
  if (Buffer.isBuffer(raw)) {
    try {
      value = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      throw new WireError(400, 'bad_json', 'the body is not valid JSON');
    }
  } else if (raw === undefined || raw === null) {
    value = {};
  }
  if (!validate(value)) throw new WireError(400, 'bad_request', describeErrors(validate));
  return value as T;
}

/**
 * The signed caller (a bad signature throws the wire contract's 401), or null once the reply said 403 because the key
 * is of another kind than the route serves.
 */
export async function signedCaller(store: AgentStore, request: FastifyRequest, reply: FastifyReply, kinds: Caller['deviceKind'][], nowMs: number): Promise<Caller | null> {
  const body = Buffer.isBuffer(request.body) ? request.body : undefined;
  const caller = await authenticate(store, { method: request.method, url: request.url, headers: request.headers, body }, nowMs);
  if (kinds.includes(caller.deviceKind)) return caller;
  fail(reply, 403, 'forbidden', `this route is for ${kinds.join(' or ')} keys, not ${caller.deviceKind}`);
  return null;
}
