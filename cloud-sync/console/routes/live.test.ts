// The live view on PGlite and PostgreSQL, fed by real signed ingest: one snapshot as JSON, and the event stream over a
// real listening server read as a browser reads it (fetch and a reader): a snapshot at once, another after a check-in,
// a problem reported without ending the stream, and the stream ended when its session ends or its client goes away.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { TSchema } from '@sinclair/typebox';
import type { SeatPilotEvent } from '../../../core/contract/contract';
import { ajv } from '../../../core/contract/validate';
import { LiveSnapshotSchema, type LiveSnapshot } from '../../../core/console/live';
import { backends, freshDatabase, type TestDatabase } from '../../../tests/pg-backends';
import { asUser, consoleTenant, signIn, type ConsoleTenant, type TestSession } from '../../../tests/fixtures/console';
import { batchOf, checkinEvent, signedInject, type TestKey } from '../../../tests/signed';
import { waitFor } from '../../../tests/wait';
import { addDevice } from '../../admin';
import { buildApp, type CloudApp } from '../../app';
import { importGuests } from '../../guestlist/import-guests';
import { refreshKpiView } from '../../kpi/kpi';
import { combineDoorToSeat, windowStart } from './live-snapshot';
import { openLiveStreams } from './live';
import { sha256Hex } from '../session';

function expectShape(schema: TSchema, body: unknown): void {
  ajv.validate(schema, body);
  expect(ajv.errors ?? []).toEqual([]);
}

/** A server-sent event stream read the way a browser's EventSource reads it. */
class EventReader {
  private buffer = '';
  private readonly decoder = new TextDecoder();
  readonly comments: string[] = [];
  done = false;
  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  /** The next event (its name and parsed data), or null when the server closed the stream. */
  async next(): Promise<{ event: string; data: unknown } | null> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) this.comments.push(line);
          else if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (data.length) return { event, data: JSON.parse(data.join('\n')) };
        continue;
      }
      const { value, done } = await this.reader.read();
      if (done) {
        this.done = true;
        return null;
      }
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  /** Hangs up, as a closed tab does. */
  close(): Promise<void> {
    return this.reader.cancel();
  }

  /** Events until one passes `until` (returned), failing after `max` events. */
  async nextWhere(what: string, until: (e: { event: string; data: unknown }) => boolean, max = 200): Promise<{ event: string; data: unknown }> {
    for (let i = 0; i < max; i++) {
      const e = await this.next();
      if (!e) throw new Error(`the stream ended before ${what}`);
      if (until(e)) return e;
    }
    throw new Error(`no ${what} in ${max} events`);
  }
}

describe.each(backends())('console live view on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let a: ConsoleTenant;
  let b: ConsoleTenant;
  let north: TestKey;
  let south: TestKey;
  let tablet: TestKey;
  let base: string;

  const post = async (key: TestKey, events: SeatPilotEvent[]) => {
    const res = await signedInject(cloud.app, key, 'POST', '/v1/events', batchOf(events));
    expect(res.json()).toMatchObject({ accepted: events.length, rejected: [] });
  };
  const entry = (key: TestKey, guest: string, door: string, at = new Date()) =>
    checkinEvent(key, { occurred_at: at.toISOString(), payload: { guest_id: guest, door_id: door, direction: 'entry' } });
  const arrival = (guest: string, secondsAfter: number, at = new Date()): SeatPilotEvent => ({
    event_id: randomUUID(), type: 'seat.arrived', occurred_at: at.toISOString(), venue_id: tablet.venue_id, device_id: tablet.device_id,
    payload: { guest_id: guest, table_id: 't1', source: 'tablet', checked_in_at: new Date(at.getTime() - secondsAfter * 1000).toISOString() },
  } as SeatPilotEvent);
  const heartbeat = (key: TestKey, payload: Record<string, unknown>): SeatPilotEvent => ({
    event_id: randomUUID(), type: 'device.heartbeat', occurred_at: new Date().toISOString(), venue_id: key.venue_id, device_id: key.device_id,
    payload: { app_version: '1.0.0', outbox_depth: 0, oldest_unsent_s: 0, guest_list_version: 1, scanner_ok: true, clock_skew_ms: 0, ...payload },
  } as SeatPilotEvent);
  const snapshot = async (who: TestSession = a.viewer, occasion = a.occasionId) => {
    const res = await asUser(cloud.app, who, { method: 'GET', url: `/console/api/occasions/${occasion}/live.json` });
    expect(res.statusCode).toBe(200);
    return res.json() as LiveSnapshot;
  };
  const openStream = async (who: TestSession, occasion = a.occasionId, signal?: AbortSignal) => {
    const res = await fetch(`${base}/console/api/occasions/${occasion}/live`, { headers: { cookie: who.cookie, accept: 'text/event-stream' }, ...(signal ? { signal } : {}) });
    return res;
  };
  const reader = (res: Response) => new EventReader((res.body as ReadableStream<Uint8Array>).getReader());
  const isSnapshot = (check: (s: LiveSnapshot) => boolean) => (e: { event: string; data: unknown }) => e.event === 'snapshot' && check(e.data as LiveSnapshot);

  beforeAll(async () => {
    t = await freshDatabase(backend);
    // The detector's pass is driven by the tests (tick), so what it has read is known at each step.
    cloud = await buildApp({ db: t.db, doubleAdmissionEverySec: 0, assignMetricsEverySec: 0, console: { liveEverySec: 0.1 } });
    a = await consoleTenant(t.db, 'Alpha');
    b = await consoleTenant(t.db, 'Beta');
    const csv = ['guest_id,name', ...Array.from({ length: 5 }, (_, i) => `ag${i + 1},Guest ${i + 1}`)].join('\n');
    await importGuests(t.db, { venueId: a.venueId, occasionId: a.occasionId, csv: `${csv}\n` });
    north = await addDevice(t.db, a.venueId, 'kiosk', 'North');
    south = await addDevice(t.db, a.venueId, 'kiosk', 'South');
    tablet = await addDevice(t.db, a.venueId, 'agent', 'Hub');
    base = await cloud.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await cloud?.app.close();
    await t?.drop();
  });

  it('starts with the guest list and nothing measured: zeros and nulls, not estimates', async () => {
    const s = await snapshot();
    expectShape(LiveSnapshotSchema, s);
    expect(s).toMatchObject({
      occasion_id: a.occasionId, expected: 5, checked_in: 0, seated: 0, last_event_received_at: null, per_door: [], double_admissions: [],
      door_to_seat: { p50_s: null, p95_s: null, samples: 0, basis: null },
    });
    expect(Math.abs(Date.parse(s.as_of) - Date.now())).toBeLessThan(60_000);
    // Three devices never heard from.
    expect(s.devices_with_problems.map((d) => d.id).sort()).toEqual([north.device_id, south.device_id, tablet.device_id].sort());
  });

  it('counts a signed check-in, a seat arrival, the door-to-seat view and a double admission', async () => {
    const before = Date.now();
    await post(north, [entry(north, 'ag1', 'north')]);
    await post(tablet, [arrival('ag1', 40), heartbeat(tablet, { scanner_ok: null })]);
    await post(north, [heartbeat(north, {})]);
    // Cut off from the hub, both doors admit ag2.
    await post(north, [entry(north, 'ag2', 'north', new Date(Date.now() - 60_000))]);
    await post(south, [entry(south, 'ag2', 'south'), heartbeat(south, { oldest_unsent_s: 1200, outbox_depth: 30 })]);
    // Someone not on this occasion's list: counted at the door, not as one of the occasion's guests.
    await post(south, [entry(south, 'walk-in-1', 'south')]);

    // Stored but not yet read by the pass: nothing counted as checked in; the stored events count where they are read.
    const unread = await snapshot();
    expect(unread).toMatchObject({ checked_in: 0, seated: 1 });

    expect(await cloud.doubleAdmissions.tick()).toBe(1);
    await refreshKpiView(t.db, 'mv_kpi_door2seat');
    const s = await snapshot();
    expectShape(LiveSnapshotSchema, s);
    expect(s).toMatchObject({ expected: 5, checked_in: 2, seated: 1 });
    expect(Date.parse(s.last_event_received_at as string)).toBeGreaterThanOrEqual(before - 1000);
    expect(s.door_to_seat).toMatchObject({ p50_s: 40, p95_s: 40, samples: 1, basis: 'one_bucket' });
    expect(s.door_to_seat.refreshed_at).not.toBeNull();
    expect(s.door_to_seat.age_s).toBeGreaterThanOrEqual(0);

    const doors = new Map(s.per_door.map((d) => [d.door_id, d.minutes]));
    expect([...doors.keys()]).toEqual(['north', 'south']);
    for (const minutes of doors.values()) {
      expect(minutes).toHaveLength(30);
      expect(Date.parse(minutes[29]!.minute) - Date.parse(minutes[0]!.minute)).toBe(29 * 60_000);
    }
    const total = (door: string) => doors.get(door)!.reduce((n, m) => n + m.checkins, 0);
    expect(total('north')).toBe(2);
    expect(total('south')).toBe(2);

    expect(s.double_admissions).toEqual([expect.objectContaining({ guest_id: 'ag2', guest_name: 'Guest 2', first_device_id: north.device_id, second_device_id: south.device_id })]);
    expect(s.devices_with_problems).toEqual([expect.objectContaining({ id: south.device_id, name: 'South', kind: 'kiosk', problems: ['backlogged'] })]);
  });

  it('takes a reverted check-in back: the guest is no longer checked in, and a double admission it made is cleared', async () => {
    const revert = (key: TestKey, guest: string, of: SeatPilotEvent): SeatPilotEvent => ({
      event_id: randomUUID(), type: 'checkin.reverted', occurred_at: new Date().toISOString(), venue_id: key.venue_id, device_id: key.device_id,
      payload: { guest_id: guest, reverted_event_id: of.event_id, door_id: 'south', by_role: 'supervisor', reason: 'scanned by mistake' },
    } as SeatPilotEvent);
    const first = await snapshot();
    const north3 = entry(north, 'ag3', 'north', new Date(Date.now() - 30_000));
    const south3 = entry(south, 'ag3', 'south');
    await post(north, [north3]);
    await post(south, [south3]);
    expect(await cloud.doubleAdmissions.tick()).toBe(1);
    const flagged = await snapshot();
    expect(flagged.checked_in).toBe(first.checked_in + 1);
    expect(flagged.double_admissions.map((d) => d.guest_id)).toContain('ag3');

    // The south door's supervisor reverts its admission: the pair is cleared, ag3 stays checked in (north admitted them).
    await post(south, [revert(south, 'ag3', south3)]);
    await cloud.doubleAdmissions.tick();
    const cleared = await snapshot();
    expect(cleared.double_admissions.map((d) => d.guest_id)).not.toContain('ag3');
    expect(cleared.checked_in).toBe(flagged.checked_in);
    // North reverts its own: ag3 is checked in nowhere now.
    await post(north, [revert(north, 'ag3', north3)]);
    await cloud.doubleAdmissions.tick();
    expect((await snapshot()).checked_in).toBe(first.checked_in);
    const list = await asUser(cloud.app, a.planner, { method: 'GET', url: `/console/api/occasions/${a.occasionId}/guests` });
    expect((list.json() as { guests: { id: string; checked_in_at: string | null }[] }).guests.find((g) => g.id === 'ag3')?.checked_in_at).toBeNull();
  });

  it("gives another tenant's people a 404 for this tenant's occasion, as JSON and as a stream", async () => {
    for (const who of [b.owner, b.planner, b.viewer]) {
      const res = await asUser(cloud.app, who, { method: 'GET', url: `/console/api/occasions/${a.occasionId}/live.json` });
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain('Guest');
    }
    const stream = await openStream(b.planner);
    expect(stream.status).toBe(404);
    expect(await stream.json()).toMatchObject({ error: 'not_found' });
    expect((await snapshot(b.planner, b.occasionId))).toMatchObject({ expected: 0, checked_in: 0, per_door: [], devices_with_problems: [] });
    expect((await fetch(`${base}/console/api/occasions/${a.occasionId}/live`)).status).toBe(401);
    const head = await asUser(cloud.app, a.viewer, { method: 'HEAD', url: `/console/api/occasions/${a.occasionId}/live` });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(openLiveStreams()).toBe(0);
  });

  it('streams a snapshot at once and a new one after a check-in, over a real connection', async () => {
    const res = await openStream(a.viewer);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = reader(res);
    const first = await events.next();
    expect(first?.event).toBe('snapshot');
    expectShape(LiveSnapshotSchema, first?.data);
    expect(first?.data).toMatchObject({ occasion_id: a.occasionId, checked_in: 2 });
    expect(events.comments.length).toBeGreaterThan(0);

    await post(north, [entry(north, 'ag3', 'north')]);
    await cloud.doubleAdmissions.tick();
    const after = (await events.nextWhere('a snapshot with the third check-in', isSnapshot((s) => s.checked_in === 3))).data as LiveSnapshot;
    expectShape(LiveSnapshotSchema, after);
    expect(Date.parse(after.as_of)).toBeGreaterThan(Date.parse((first?.data as LiveSnapshot).as_of));
    await events.close();
  });

  it('reports a failed read as a problem and goes on streaming', async () => {
    const res = await openStream(a.viewer);
    const events = reader(res);
    expect((await events.next())?.event).toBe('snapshot');
    // A real fault: the console's role loses its read of the double admissions for a while.
    await t.db.exec('REVOKE SELECT ON telemetry.double_admissions FROM seatpilot_console');
    let problem: { event: string; data: unknown };
    try {
      problem = await events.nextWhere('a problem', (e) => e.event === 'problem');
    } finally {
      await t.db.exec('GRANT SELECT ON telemetry.double_admissions TO seatpilot_console');
    }
    expect(problem.data).toMatchObject({ message: expect.stringMatching(/could not be read/), problems: expect.any(Number) });
    // The message is for a person: no SQL, no table names.
    expect(JSON.stringify(problem.data)).not.toMatch(/permission|double_admissions|telemetry/);
    const again = await events.nextWhere('a snapshot after the fault', (e) => e.event === 'snapshot');
    expectShape(LiveSnapshotSchema, again.data);
    await events.close();
  });

  it('says signed_out and closes when the session is revoked or expires', async () => {
    for (const end of ['revoked_at = now()', `expires_at = now() - interval '1 second'`]) {
      const session = await signIn(t.db, a.viewer.account);
      const res = await openStream(session);
      const events = reader(res);
      expect((await events.next())?.event).toBe('snapshot');
      await t.db.query(`UPDATE console.sessions SET ${end} WHERE id_hash = $1`, [sha256Hex(session.cookie.split('=')[1] as string)]);
      const out = await events.nextWhere('signed_out', (e) => e.event === 'signed_out');
      expect(out.data).toMatchObject({ message: expect.stringMatching(/sign in again/) });
      expect(await events.next()).toBeNull();
      expect(events.done).toBe(true);
    }
  });

  it('stops reading for a client that goes away', async () => {
    const idle = openLiveStreams();
    // node:http rather than fetch: a destroyed request is a closed tab's dropped connection, and nothing else is left open.
    const req = http.get(`${base}/console/api/occasions/${a.occasionId}/live`, { headers: { cookie: a.viewer.cookie } });
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => req.on('response', resolve).on('error', reject));
    expect(res.statusCode).toBe(200);
    const first = await new Promise<string>((resolve) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        if (text.includes('event: snapshot')) resolve(text);
      });
    });
    expect(first).toContain('event: snapshot');
    expect(openLiveStreams()).toBe(idle + 1);
    req.destroy();
    await waitFor('the server to drop the stream', () => openLiveStreams() === idle);
  });

  it('ends open streams when the service closes', async () => {
    const other = await buildApp({ db: t.db, doubleAdmissionEverySec: 0, assignMetricsEverySec: 0, console: { liveEverySec: 0.1 } });
    const url = await other.app.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${url}/console/api/occasions/${a.occasionId}/live`, { headers: { cookie: a.viewer.cookie } });
    const events = reader(res);
    expect((await events.next())?.event).toBe('snapshot');
    await other.app.close();
    await events.nextWhere('the end of the stream', () => false).catch((e: Error) => expect(e.message).toMatch(/ended/));
    expect(events.done).toBe(true);
  });
});

describe('door-to-seat from per-bucket percentiles', () => {
  it('adds the samples exactly and gives the one bucket, or the slowest bucket, saying which', () => {
    expect(combineDoorToSeat([])).toEqual({ p50_s: null, p95_s: null, samples: 0, basis: null });
    expect(combineDoorToSeat([{ arrivals: 0, p50_seconds: null, p95_seconds: null }])).toEqual({ p50_s: null, p95_s: null, samples: 0, basis: null });
    expect(combineDoorToSeat([{ arrivals: 4, p50_seconds: 20, p95_seconds: 35 }])).toEqual({ p50_s: 20, p95_s: 35, samples: 4, basis: 'one_bucket' });
    expect(combineDoorToSeat([{ arrivals: 4, p50_seconds: 20, p95_seconds: 35 }, { arrivals: 9, p50_seconds: 25, p95_seconds: 31 }]))
      .toEqual({ p50_s: 25, p95_s: 35, samples: 13, basis: 'slowest_bucket' });
  });

  it('reads the last 24 h, from before the occasion when it began earlier, never more than 7 days back', () => {
    const now = new Date('2026-12-01T12:00:00Z');
    expect(windowStart(new Date('2026-12-31T18:00:00Z'), now).toISOString()).toBe('2026-11-30T12:00:00.000Z');
    expect(windowStart(new Date('2026-11-29T20:00:00Z'), now).toISOString()).toBe('2026-11-29T14:00:00.000Z');
    expect(windowStart(new Date('2026-10-01T20:00:00Z'), now).toISOString()).toBe('2026-11-24T12:00:00.000Z');
  });
});
