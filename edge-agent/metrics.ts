// The agent's own metrics beside the protocol server's: outbox backlog, push/pull health, check-in latency by stage.
import { Counter, Gauge, Histogram } from 'prom-client';
import type { SeatPilotEvent } from '../core/contract/contract';
import type { Outbox } from '../core/contract/outbox';
import type { ServerMetrics } from '../protocol/metrics';

export interface AgentMetrics {
  pushErrors: Counter<'kind'>;
  pullErrors: Counter<'kind'>;
  pushDead: Counter;
  lastCloudSync: Gauge;
  checkinLatency: Histogram;
  checkinStage: Histogram<'stage'>;
  observeEvent(event: SeatPilotEvent): void;
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.3, 0.5, 1, 2.5];

/**
 * `deviceId` labels the outbox gauges: the alerts and the fleet dashboard group backlogs by (tenant, venue, device),
 * and the cloud's per-device figures carry it, so the hub's own backlog names the hub rather than an empty device.
 */
export function createAgentMetrics(server: ServerMetrics, outbox: Outbox, lastSync: () => number | null, deviceId = ''): AgentMetrics {
  const registers = [server.registry];
  const device = { device: deviceId };
  new Gauge({ name: 'seatpilot_outbox_depth', help: 'Events waiting in the agent outbox to be pushed to the cloud.', labelNames: ['device'], registers, collect() { this.set(device, outbox.depth()); } });
  new Gauge({ name: 'seatpilot_outbox_oldest_unsent_seconds', help: 'Age of the oldest event waiting in the agent outbox.', labelNames: ['device'], registers, collect() { this.set(device, outbox.oldestUnsentSeconds()); } });
  const lastCloudSync = new Gauge({
    name: 'seatpilot_last_cloud_sync_timestamp_seconds',
    help: 'Unix time of the last successful push or pull with the cloud (0: never).',
    registers,
    collect() { this.set((lastSync() ?? 0) / 1000); },
  });
  const checkinLatency = new Histogram({ name: 'seatpilot_checkin_latency_seconds', help: 'Scan to durably stored decision, as the kiosks measured it.', buckets: LATENCY_BUCKETS, registers });
  const checkinStage = new Histogram({ name: 'seatpilot_checkin_stage_seconds', help: 'Check-in stages as the kiosks measured them.', labelNames: ['stage'], buckets: LATENCY_BUCKETS, registers });
  return {
    pushErrors: new Counter({
      name: 'seatpilot_push_errors_total',
      help: 'Failed pushes to the cloud by kind: unreachable, unexpected_response (e.g. a captive portal), rate_limited, refused, server_error, local_store.',
      labelNames: ['kind'],
      registers,
    }),
    pullErrors: new Counter({
      name: 'seatpilot_pull_errors_total',
      help: 'Failed guest-list pulls from the cloud by kind: unreachable, unexpected_response, refused, server_error, local_store.',
      labelNames: ['kind'],
      registers,
    }),
    pushDead: new Counter({ name: 'seatpilot_push_dead_total', help: 'Events the cloud rejected for good (kept dead in the outbox).', registers }),
    lastCloudSync,
    checkinLatency,
    checkinStage,
    // Only figures the kiosk measured: an event pushed after a kiosk restart has no commit time, and is left out.
    observeEvent(event) {
      if (event.type === 'checkin.succeeded') {
        if (event.payload.latency_ms !== undefined) checkinLatency.observe(event.payload.latency_ms / 1000);
        const st = event.payload.stages;
        checkinStage.observe({ stage: 'parse' }, st.parse_ms / 1000);
        checkinStage.observe({ stage: 'lookup' }, st.lookup_ms / 1000);
        if (st.persist_ms !== undefined) checkinStage.observe({ stage: 'persist' }, st.persist_ms / 1000);
        if (st.total_ms !== undefined) checkinStage.observe({ stage: 'total' }, st.total_ms / 1000);
      } else if (event.type === 'checkin.rejected') {
        if (event.payload.latency_ms !== undefined) checkinLatency.observe(event.payload.latency_ms / 1000);
      }
    },
  };
}
