// Test helper: signed requests to a fastify app through inject(), exactly as a device would send them.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { randomUUID } from 'node:crypto';
import { signRequest } from '../core/signing/signing';
import type { SeatPilotEvent } from '../core/contract/contract';

export interface TestKey {
  key_id: string;
  secret: string;
  device_id: string;
  venue_id: string;
  tenant_id?: string;
}

export interface SignedOptions {
  /** Sign with these instead of what is sent (to prove tampering is caught). */
  signMethod?: string;
  signPath?: string;
  signBody?: string;
  nowSeconds?: number;
  nonce?: string;
  contentType?: string | null;
  headers?: Record<string, string>;
  secret?: string;
}

export async function signedInject(app: FastifyInstance, key: TestKey, method: 'GET' | 'POST', path: string, body?: string, o: SignedOptions = {}): Promise<LightMyRequestResponse> {
  const headers = await signRequest({
    keyId: key.key_id,
    secret: o.secret ?? key.secret,
    method: o.signMethod ?? method,
    pathWithQuery: o.signPath ?? path,
    body: o.signBody ?? body ?? null,
    ...(o.nowSeconds !== undefined ? { nowSeconds: o.nowSeconds } : {}),
    ...(o.nonce ? { nonce: o.nonce } : {}),
  });
  const contentType = o.contentType === undefined ? (body !== undefined ? 'application/json' : undefined) : o.contentType;
  return app.inject({
    method,
    url: path,
    headers: { ...headers, ...(contentType ? { 'content-type': contentType } : {}), ...(o.headers ?? {}) },
    ...(body !== undefined ? { payload: body } : {}),
  });
}

let seq = 0;
/** A valid checkin.succeeded event for `key`'s device. */
export type EventOverrides = Partial<Omit<SeatPilotEvent, 'payload'>> & { payload?: Record<string, unknown> };

export function checkinEvent(key: Pick<TestKey, 'venue_id' | 'device_id'>, over: EventOverrides = {}): SeatPilotEvent {
  seq++;
  const { payload, ...envelope } = over;
  return {
    event_id: randomUUID(),
    type: 'checkin.succeeded',
    occurred_at: new Date(Date.UTC(2026, 10, 27, 20, 0, 0, seq % 1000)).toISOString(),
    venue_id: key.venue_id,
    device_id: key.device_id,
    ...envelope,
    payload: {
      guest_id: `g${seq}`, credential_kind: 'barcode', door_id: 'door-a', direction: 'entry', table_id: 't1', party_size: 2,
      offline: false, latency_ms: 0.9, stages: { parse_ms: 0.01, lookup_ms: 0.1, persist_ms: 0.7, total_ms: 0.9 },
      ...(payload ?? {}),
    },
  } as SeatPilotEvent;
}

export function batchOf(events: unknown[], batchId: string = randomUUID()): string {
  return JSON.stringify({ batch_id: batchId, sent_at: new Date().toISOString(), events });
}
