// The beacon gateways' signed route: sightings feed the dwell smoother (core/arrival/beacon-dwell.ts), and a dwell at a
// checked-in guest's own table becomes seat.arrived. `tick` completes dwells that end with no new sighting.
import type { FastifyInstance } from 'fastify';
import { BeaconDwellTracker, type BeaconDwellOptions, type DwellEvent } from '../../core/arrival/beacon-dwell';
import { BeaconSightingsSchema, type BeaconSightings, type BeaconSightingsResult } from '../../core/contract/staff';
import { ajv } from '../../core/contract/validate';
import type { AgentStore } from '../store';
import { parseBody, signedCaller } from './route-helpers';
import type { TabletStore } from './store';

const validateSightings = ajv.compile(BeaconSightingsSchema);

// Sightings older than this (gateway buffered them through a hiccup) are placed at this age: the smoother's window is
// seconds, and a stale burst must not complete a dwell that never happened.
const MAX_SIGHTING_AGE_MS = 120_000;

export interface BeaconRouteDeps {
  agentStore: AgentStore;
  store: TabletStore;
  now: () => number;
  dwell?: Partial<BeaconDwellOptions>;
  /** Something a board shows may have changed: refresh the streams now. */
  wake: () => void;
}

export interface BeaconRoutes {
  /** Completes the dwells due at `nowMs` (the plugin's pulse). */
  tick(nowMs: number): void;
}

export function registerBeaconRoutes(app: FastifyInstance, deps: BeaconRouteDeps): BeaconRoutes {
  const { store, now } = deps;
  const tracker = new BeaconDwellTracker(deps.dwell ?? {});
  const gatewayOf = new Map<string, string>();
  const settle = (events: DwellEvent[], gateway?: string) => {
    const arrivals: BeaconSightingsResult['arrivals'] = [];
    for (const e of events) {
      if (e.type !== 'arrived') continue;
      const r = store.beaconSettled({ tag: e.tag, tableId: e.table, atMs: e.sinceMs, gatewayDevice: gateway ?? gatewayOf.get(e.tag) ?? 'gateway' });
      if (r.kind === 'arrived' && r.event.type === 'seat.arrived') arrivals.push({ guest_id: r.event.payload.guest_id, table_id: r.event.payload.table_id });
    }
    return arrivals;
  };

  app.post('/v1/beacon/sightings', async (request, reply) => {
    const caller = await signedCaller(deps.agentStore, request, reply, ['gateway'], now());
    if (!caller) return reply;
    const body = parseBody<BeaconSightings>(request, validateSightings);
    const t = now();
    let unknownTags = 0;
    let unknownTables = 0;
    const sightings = body.sightings
      .map((s) => ({ ...s, atMs: Math.min(t, Math.max(t - MAX_SIGHTING_AGE_MS, s.seen_at ? Date.parse(s.seen_at) : t)) }))
      .sort((a, b) => a.atMs - b.atMs);
    const known = new Map<string, boolean>();
    const dwellEvents: DwellEvent[] = [];
    for (const s of sightings) {
      if (!store.tableExists(s.table_id)) {
        unknownTables++;
        continue;
      }
      let k = known.get(s.tag);
      if (k === undefined) known.set(s.tag, (k = store.tagAssigned(s.tag)));
      if (!k) {
        unknownTags++;
        continue;
      }
      gatewayOf.set(s.tag, caller.deviceId);
      dwellEvents.push(...tracker.sight({ tag: s.tag, table: s.table_id, rssi: s.rssi, atMs: s.atMs }));
    }
    const arrivals = settle(dwellEvents, caller.deviceId);
    deps.wake();
    return { accepted: sightings.length - unknownTags - unknownTables, unknown_tags: unknownTags, unknown_tables: unknownTables, arrivals } satisfies BeaconSightingsResult;
  });

  return { tick: (nowMs) => void settle(tracker.tick(nowMs)) };
}
