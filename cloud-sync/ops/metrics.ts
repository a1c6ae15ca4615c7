// Cloud ops gauges on the service's /metrics, read from the database at scrape time: KPI view lag and per-device fleet
// health from heartbeats. One query per scrape feeds all fleet gauges.
import { Gauge, type Registry } from 'prom-client';
import type { Queryable } from '../db';
import { readStaleness } from '../kpi/kpi';
import { fleetStatus, type DeviceStatus } from '../fleet/fleet';
import type { OpsLogger } from '../kpi/refresher';

const DEVICE_LABELS = ['tenant', 'venue', 'device'] as const;

export function registerOpsMetrics(registry: Registry, db: Queryable, log: OpsLogger): void {
  // Apps built on a shared registry (tests) register the gauges once.
  if (registry.getSingleMetric('seatpilot_mv_lag_seconds')) return;
  const startedAt = Date.now();

  new Gauge({
    name: 'seatpilot_mv_lag_seconds',
    help: 'Seconds since the KPI materialized view was last refreshed successfully (since this process started when never).',
    labelNames: ['view'],
    registers: [registry],
    async collect() {
      try {
        const rows = await readStaleness(db);
        this.reset();
        for (const s of rows) this.set({ view: s.view }, s.lagSeconds ?? (Date.now() - startedAt) / 1000);
      } catch (e) {
        // Keep the last values: a scrape must not fail, and an alert on lag keeps its data.
        log.warn({ error: (e as Error).message }, 'mv lag gauge not updated: database unavailable');
      }
    },
  });

  let snapshot: { at: number; rows: Promise<DeviceStatus[]> } | undefined;
  const devices = (): Promise<DeviceStatus[]> => {
    // The four gauges are collected together; one database round trip serves them all.
    if (!snapshot || Date.now() - snapshot.at > 1000) snapshot = { at: Date.now(), rows: fleetStatus(db) };
    return snapshot.rows;
  };
  const fleetGauge = (name: string, help: string, value: (d: DeviceStatus) => number | null) =>
    new Gauge({
      name, help, labelNames: DEVICE_LABELS, registers: [registry],
      async collect() {
        let rows: DeviceStatus[];
        try {
          rows = await devices();
        } catch (e) {
          log.warn({ error: (e as Error).message, metric: name }, 'fleet gauge not updated: database unavailable');
          return;
        }
        this.reset();
        for (const d of rows) {
          const v = value(d);
          if (v !== null && Number.isFinite(v)) this.set({ tenant: d.tenant, venue: d.venue, device: d.device }, v);
        }
      },
    });

  fleetGauge('seatpilot_device_last_seen_timestamp_seconds', 'Unix time of the last heartbeat the cloud has from the device.', (d) => (d.lastSeen ? d.lastSeen.getTime() / 1000 : null));
  fleetGauge('seatpilot_outbox_depth', 'Events waiting in the device outbox, from its last heartbeat.', (d) => d.outboxDepth);
  fleetGauge('seatpilot_outbox_oldest_unsent_seconds', 'Age of the oldest unsent event in the device outbox, from its last heartbeat.', (d) => d.oldestUnsentSeconds);
  fleetGauge('seatpilot_device_clock_skew_seconds', 'Device clock minus its receiver clock (the hub for a kiosk, the cloud for an agent), from its last heartbeat; absent until measured.', (d) => (d.clockSkewMs === null ? null : d.clockSkewMs / 1000));
}
