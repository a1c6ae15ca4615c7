// Validation of events and sync pages against the one contract (core/contract/contract.ts), shared by kiosk, agent and cloud.
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import {
  EventBaseSchema,
  ErrorBodySchema,
  EventBatchSchema,
  IngestResultSchema,
  LIMITS,
  PAYLOAD_SCHEMAS,
  SyncResponseSchema,
  SyncResponseV2Schema,
  type EventBatch,
  type EventRejectReason,
  type ErrorBody,
  type EventType,
  type IngestResult,
  type SeatPilotEvent,
  type SyncResponse,
  type SyncResponseV2,
} from './contract';

// ajv-formats is CommonJS; under ESM interop its function may sit on `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as typeof addFormatsModule.default;

/** The one Ajv instance: fastify's validator compiler uses it too, so routes and code agree. */
export const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false, useDefaults: false });
addFormats(ajv);
/**
 * `uuid` is the 36-character hyphenated form only (either case). ajv-formats also accepts a `urn:uuid:` prefix, which
 * PostgreSQL's uuid type refuses: such an event passed validation and then failed its whole batch's insert with a 500.
 */
export const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
ajv.addFormat('uuid', UUID_TEXT);

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * RFC 3339 date-time, within what PostgreSQL's timestamptz stores: years 0001–9999, UTC offsets up to ±15:59, no leap
 * second. ajv-formats also takes year 0000, offsets to ±23:59 and second 60, which timestamptz refuses: one such event
 * failed its whole batch with a 500.
 */
export function isStorableDateTime(text: string): boolean {
  const m = DATE_TIME.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (year < 1 || month < 1 || month > 12) return false;
  if (day < 1 || day > (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number))) return false;
  // No leap second: timestamptz refuses 23:59:60 with a fraction, and no clock of ours writes one.
  if (hour > 23 || minute > 59 || second > 59) return false;
  if (m[7] !== undefined && (Number(m[7]) > 15 || Number(m[8]) > 59)) return false;
  return true;
}
ajv.addFormat('date-time', isStorableDateTime);

const validateBase = ajv.compile(EventBaseSchema);
const validateBatch = ajv.compile(EventBatchSchema);
const validateSyncResponse = ajv.compile(SyncResponseSchema);
const validateSyncResponseV2 = ajv.compile(SyncResponseV2Schema);
const validateIngestResult = ajv.compile(IngestResultSchema);
const validateErrorBody = ajv.compile(ErrorBodySchema);
const payloadValidators = Object.fromEntries(
  Object.entries(PAYLOAD_SCHEMAS).map(([type, schema]) => [type, ajv.compile(schema)]),
) as Record<EventType, ValidateFunction>;

export function isEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(PAYLOAD_SCHEMAS, type);
}

/** Ajv's first error as one line a person can read: `/payload/party_size must be >= 1`. */
export function describeErrors(validate: ValidateFunction, prefix = ''): string {
  const e = validate.errors?.[0];
  if (!e) return 'invalid';
  const where = prefix + e.instancePath || '/';
  if (e.keyword === 'additionalProperties') return `${where} has unknown field "${String(e.params.additionalProperty)}"`;
  if (e.keyword === 'required') return `${where} is missing required field "${String(e.params.missingProperty)}"`;
  return `${where} ${e.message ?? 'is invalid'}`;
}

export type EventCheck =
  | { ok: true; event: SeatPilotEvent }
  | { ok: false; reason: EventRejectReason; detail: string };

const encoder = new TextEncoder();

/**
 * JSON text escapes that PostgreSQL's jsonb refuses: \u0000 and lone surrogates (JSON.stringify escapes only lone ones).
 * The look-behind skips an escaped backslash followed by the letters "u0000".
 */
export const UNSTORABLE_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

/**
 * How deep an event's JSON may nest (the envelope is level 1, its payload level 2). No event type needs more than 4;
 * an event nested thousands of levels deep made `JSON.stringify` throw a RangeError, which answered the whole batch 500.
 */
export const MAX_EVENT_DEPTH = 32;

/** Whether `raw` nests deeper than `max` objects/arrays, found without recursion (so it cannot overflow the stack). */
export function nestsDeeperThan(raw: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[raw, 1]];
  while (stack.length) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (value === null || typeof value !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** Validate one event on its own: depth, size, envelope fields, then its type's payload schema. */
export function checkEvent(raw: unknown, maxBytes: number = LIMITS.maxEventBytes): EventCheck {
  if (nestsDeeperThan(raw, MAX_EVENT_DEPTH)) return { ok: false, reason: 'invalid_event', detail: `the event nests deeper than ${MAX_EVENT_DEPTH} levels` };
  const json = JSON.stringify(raw) ?? '';
  // A UTF-16 code unit is at most 3 bytes of UTF-8: most events are far below the limit without being encoded.
  const size = json.length * 3 <= maxBytes ? 0 : encoder.encode(json).byteLength;
  if (size > maxBytes) return { ok: false, reason: 'event_too_large', detail: `event is ${size} bytes, the limit is ${maxBytes}` };
  if (UNSTORABLE_ESCAPE.test(json)) return { ok: false, reason: 'invalid_event', detail: 'a string holds a NUL character or a lone UTF-16 surrogate, which cannot be stored' };
  if (!validateBase(raw)) return { ok: false, reason: 'invalid_event', detail: describeErrors(validateBase) };
  const candidate = raw as { type: string; payload: unknown };
  if (!isEventType(candidate.type)) return { ok: false, reason: 'unknown_type', detail: `unknown event type "${candidate.type}"` };
  const validatePayload = payloadValidators[candidate.type];
  if (!validatePayload(candidate.payload)) {
    return { ok: false, reason: 'invalid_payload', detail: describeErrors(validatePayload, '/payload') };
  }
  const event = raw as SeatPilotEvent;
  // One spelling of an id on every tier: an upper-case copy of an event id is the same event, never a second one.
  return { ok: true, event: /[A-F]/.test(event.event_id) ? { ...event, event_id: event.event_id.toLowerCase() } : event };
}

export type BatchCheck = { ok: true; batch: EventBatch } | { ok: false; detail: string };

export function checkBatch(raw: unknown): BatchCheck {
  if (!validateBatch(raw)) return { ok: false, detail: describeErrors(validateBatch) };
  return { ok: true, batch: raw as EventBatch };
}

export function checkSyncResponse(raw: unknown): { ok: true; page: SyncResponse } | { ok: false; detail: string } {
  if (!validateSyncResponse(raw)) return { ok: false, detail: describeErrors(validateSyncResponse) };
  return { ok: true, page: raw as SyncResponse };
}

/** A page asked for with `features=checkin_reverts`: v1's kinds and `checkin_reverted`, as strictly. */
export function checkSyncResponseV2(raw: unknown): { ok: true; page: SyncResponseV2 } | { ok: false; detail: string } {
  if (!validateSyncResponseV2(raw)) return { ok: false, detail: describeErrors(validateSyncResponseV2) };
  return { ok: true, page: raw as SyncResponseV2 };
}

/**
 * An upstream's answer to `POST /v1/events` as the push client trusts it: the schema, and every `rejected[].index`
 * naming a distinct event of the batch that was sent. Anything else (a captive portal's HTML, a proxy's JSON) is no
 * acknowledgement of anything.
 */
export function checkIngestResult(raw: unknown, batchSize: number): { ok: true; result: IngestResult } | { ok: false; detail: string } {
  if (!validateIngestResult(raw)) return { ok: false, detail: describeErrors(validateIngestResult) };
  const result = raw as IngestResult;
  const seen = new Set<number>();
  for (const r of result.rejected) {
    if (r.index >= batchSize) return { ok: false, detail: `rejected[].index ${r.index} is outside the batch of ${batchSize}` };
    if (seen.has(r.index)) return { ok: false, detail: `rejected[].index ${r.index} appears twice` };
    seen.add(r.index);
  }
  if (result.accepted + result.duplicates + result.rejected.length > batchSize) {
    return { ok: false, detail: `it counts ${result.accepted + result.duplicates + result.rejected.length} results for a batch of ${batchSize}` };
  }
  return { ok: true, result };
}

/** `{"error": code}`, as every documented failure of a `/v1/*` route is shaped. */
export function isErrorBody(raw: unknown): raw is ErrorBody {
  return validateErrorBody(raw);
}

/**
 * The raw JSON of a refused event, as the dead-letter tables keep it. An event nested deeper than `MAX_EVENT_DEPTH`
 * cannot be written back as JSON (JSON.stringify overflows the stack), so its envelope fields are kept instead.
 */
export function deadLetterJson(raw: unknown): string {
  if (!nestsDeeperThan(raw, MAX_EVENT_DEPTH)) return JSON.stringify(raw === undefined ? null : raw);
  const o = raw as Record<string, unknown>;
  const pick = (k: string) => (typeof o[k] === 'string' ? (o[k] as string).slice(0, 128) : null);
  return JSON.stringify({ event_id: pick('event_id'), type: pick('type'), occurred_at: pick('occurred_at'), venue_id: pick('venue_id'), device_id: pick('device_id'), truncated: `nested deeper than ${MAX_EVENT_DEPTH} levels` });
}
