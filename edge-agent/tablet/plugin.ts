// The agent's tablet and beacon side: one TabletStore, the routes of its three audiences (tablet-routes.ts: the page
// and the tablets' API; beacon-routes.ts: beacon gateways; staff-routes.ts: the kiosks' staff mode), the arrival
// metrics, and the pulse that commits taps past their undo window, completes dwells, refreshes the streams and sends
// them the VIPs who just checked in.
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram } from 'prom-client';
import type { SeatPilotEvent } from '../../core/contract/contract';
import type { BeaconDwellOptions } from '../../core/arrival/beacon-dwell';
import { DOOR_TO_SEAT_BUCKETS, doorToSeat } from '../../core/arrival/door-to-seat';
import type { ServerMetrics } from '../../protocol/metrics';
import { processFaults } from '../../node-kit/fault-log';
import { VenueDesk } from '../desk/venue-desk';
import type { AgentStore } from '../store';
import { registerBeaconRoutes } from './beacon-routes';
import { registerStaffRoutes } from './staff-routes';
import { TabletStore } from './store';
import { BoardStreams, registerTabletApiRoutes } from './tablet-routes';
import { VipAlerts } from './vip-alerts';

export interface TabletOptions {
  venueId: string;
  /** The agent's own device id (seat.arrived events are the agent's). */
  deviceId: string;
  /** Undo window of a tablet tap. Default 10 s. */
  undoSeconds?: number;
  /** Lifetime of a pairing code. Default 10 min. */
  pairingTtlMinutes?: number;
  /** Beacon dwell smoothing (core/arrival/beacon-dwell.ts). */
  dwell?: Partial<BeaconDwellOptions>;
  /** How often pending taps are committed, dwells completed and streams refreshed. Default 250 ms. */
  tickMs?: number;
}

export interface TabletPluginDeps {
  store: AgentStore;
  metrics: ServerMetrics;
  options: TabletOptions;
  now: () => number;
  /** A seat.arrived reached the outbox: the runtime pushes right away. */
  onCommitted?: () => void;
  /**
   * The hub's desk (the one its kiosks' staff mode uses). Absent, the tablets get a desk of their own over the same
   * store, with the default options.
   */
  desk?: VenueDesk;
  /**
   * Where a failed pulse goes, as `tablet_pulse`: the agent's sink of loop faults (counted by kind, logged at most once
   * a minute per kind). Default: the process's, on stderr.
   */
  faults?: (kind: string, message: string) => void;
  /** A pulse failed on the hub's own disk (full, failing): the store's health hears it, as for the runtime's loops. */
  onStorageFault?: (err: Error) => void;
}

export interface TabletRoutes {
  store: TabletStore;
  /** Something a board shows may have changed (a batch from a door was stored): refresh the streams now. */
  wake(): void;
}

export async function registerTabletRoutes(app: FastifyInstance, deps: TabletPluginDeps): Promise<TabletRoutes> {
  const { now, options } = deps;
  const undoMs = (options.undoSeconds ?? 10) * 1000;
  const registers = [deps.metrics.registry];
  const doorToSeatHist = new Histogram({
    name: 'seatpilot_door_to_seat_seconds',
    help: 'Door check-in to arrival at the table, per seat.arrived (walks over 15 min or negative ones are outliers, left out).',
    buckets: DOOR_TO_SEAT_BUCKETS,
    registers,
  });
  const outliers = new Counter({ name: 'seatpilot_door_to_seat_outliers_total', help: 'Arrivals more than 15 min after check-in, or stamped before it (clocks disagree): kept in the events, left out of the histogram.', registers });
  const arrivalsTotal = new Counter({ name: 'seatpilot_seat_arrivals_total', help: 'seat.arrived events written, by source.', labelNames: ['source'], registers });

  const onCommitted = (e: SeatPilotEvent) => {
    if (e.type !== 'seat.arrived') return;
    arrivalsTotal.inc({ source: e.payload.source });
    const d = doorToSeat(e.payload.checked_in_at, e.occurred_at);
    if (d && !d.outlier) doorToSeatHist.observe(d.seconds);
    else if (d) outliers.inc();
  };
  const store = new TabletStore(deps.store.db, deps.store.outbox, {
    venueId: options.venueId,
    deviceId: options.deviceId,
    undoMs,
    clock: now,
    onCommitted: (e) => {
      onCommitted(e);
      deps.onCommitted?.();
    },
  });

  const vips = new VipAlerts(deps.store.db, now);
  const streams = new BoardStreams(store, () => vips.recent());
  let lastFingerprint = '';
  let closed = false;
  let lastRevocationCheck = 0;
  // A change made by a request shows on every stream at once rather than at the next tick.
  const wake = () => {
    if (!closed) setImmediate(pulse);
  };
  const beacons = registerBeaconRoutes(app, { agentStore: deps.store, store, now, ...(options.dwell ? { dwell: options.dwell } : {}), wake });
  const desk = deps.desk ?? new VenueDesk(deps.store, { deviceId: options.deviceId, venueId: options.venueId, clock: now });
  await registerTabletApiRoutes(app, { store, streams, now, undoMs, wake, desk });
  registerStaffRoutes(app, { agentStore: deps.store, store, now, ...(options.pairingTtlMinutes !== undefined ? { pairingTtlMinutes: options.pairingTtlMinutes } : {}) });

  // --- the clock: commit taps past their undo window, complete dwells, refresh the streams --------------------------
  // A timer's callback that throws would end the hub (a busy or full disk, say): each failed tick goes to the agent's
  // loop faults (and a store fault to its health, as the runtime's own loops do) and the next one tries again.
  const fault = deps.faults ?? ((kind: string, message: string) => processFaults.report(kind, message));
  const pulse = () => {
    try {
      tick();
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      deps.onStorageFault?.(err);
      fault('tablet_pulse', err.message);
    }
  };
  const tick = () => {
    if (closed) return;
    const t = now();
    store.commitDue(t);
    beacons.tick(t);
    // Every tick, streams or not: a tablet that connects later is told of the last few minutes' only.
    for (const alert of vips.take()) streams.vip(alert);
    if (t - lastRevocationCheck >= 1_000) {
      lastRevocationCheck = t;
      streams.closeRevoked();
    }
    const fp = store.fingerprint();
    if (fp === lastFingerprint || streams.size === 0) {
      lastFingerprint = fp;
      return;
    }
    lastFingerprint = fp;
    streams.refreshAll();
  };
  const timer = setInterval(pulse, options.tickMs ?? 250);
  timer.unref();
  const keepAlive = setInterval(() => streams.keepAlive(), 5_000);
  keepAlive.unref();
  app.addHook('preClose', async () => {
    closed = true;
    clearInterval(timer);
    clearInterval(keepAlive);
    streams.closeAll();
  });
  return { store, wake };
}
