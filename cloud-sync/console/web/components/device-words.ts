// A device's state and problems in words for the venue's staff ("silent for 12 min", "backlog 340 events, oldest
// 6 min", "clock 8 s ahead"), shared by the Devices page and the live view.
import type { DeviceRow } from '../../../../core/console/devices';
import { num, t } from '../i18n';
import { duration } from './clock';

export type DeviceFacts = Pick<DeviceRow, 'last_seen'> & Partial<Pick<DeviceRow, 'outbox_depth' | 'oldest_unsent_s' | 'clock_skew_ms'>>;

/** One problem code of cloud-sync/fleet/fleet.ts in words, as of `nowMs` (the server's clock, where known). */
export function problemText(problem: string, d: DeviceFacts, nowMs: number): string {
  switch (problem) {
    case 'silent':
      return d.last_seen ? t('devices.problem.silent', { d: duration((nowMs - Date.parse(d.last_seen)) / 1000) }) : t('devices.problem.never');
    case 'backlogged':
      return d.outbox_depth != null && d.oldest_unsent_s != null
        ? t('devices.problem.backlog', { n: num(d.outbox_depth), d: duration(d.oldest_unsent_s) })
        : t('devices.problem.backlog_plain');
    case 'clock_skewed':
      if (d.clock_skew_ms == null) return t('devices.problem.clock_plain');
      return t(d.clock_skew_ms > 0 ? 'devices.problem.clock_ahead' : 'devices.problem.clock_behind', { d: duration(Math.abs(d.clock_skew_ms) / 1000) });
    default:
      return problem;
  }
}

export function kindText(kind: string): string {
  return kind === 'kiosk' || kind === 'agent' || kind === 'gateway' ? t(`devices.kind.${kind}`) : kind;
}
