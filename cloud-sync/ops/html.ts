// Server-rendered admin pages: plain HTML tables, every value escaped.
import type { DeviceStatus } from '../fleet/fleet';
import { BILLING_COLUMNS, type BillingRow } from '../billing/billing';

export function escapeHtml(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · SeatPilot</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#111}
table{border-collapse:collapse;width:100%}th,td{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:left}
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
.state{font-weight:600;padding:.1rem .4rem;border-radius:.3rem}
.ok{background:#e3f6e3}.silent{background:#fde2e2}.backlogged{background:#fff1cc}.clock_skewed{background:#e6e6ff}.over{background:#fde2e2}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}

/** "+600.0 s" off; a kiosk that corrects says so (it stamps and decides on its hub's time, kiosk/checkin-service.ts). */
function fmtClock(d: DeviceStatus): string {
  if (d.clockSkewMs === null) return 'not measured yet';
  const off = `${d.clockSkewMs >= 0 ? '+' : '−'}${(Math.abs(d.clockSkewMs) / 1000).toFixed(1)} s`;
  return d.clockCorrected ? `off by ${off}; times corrected to the ${d.kind === 'kiosk' ? "hub's" : 'receiver\'s'} clock` : off;
}

/** Null is what the device does not know, never a fault: the hub has no scanner; a keyboard wedge cannot be asked. */
function fmtScanner(d: DeviceStatus): string {
  if (d.scannerOk !== null) return d.scannerOk ? 'yes' : 'no';
  if (d.kind === 'agent') return 'no scanner';
  if (d.lastScanSeconds !== null) return `unknown (keyboard wedge), last scan ${fmtAge(d.lastScanSeconds)}`;
  return d.lastSeen ? 'unknown (keyboard wedge), no scan since start' : '';
}

const fmtAge = (s: number | null) => (s === null ? 'never' : s < 120 ? `${Math.round(s)} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`);

export function fleetPage(devices: DeviceStatus[], now: Date): string {
  const problems = devices.filter((d) => d.problems.length).length;
  const rows = devices.map((d) => `<tr data-device="${escapeHtml(d.device)}" data-state="${escapeHtml(d.state)}">
<td><span class="state ${escapeHtml(d.state)}">${escapeHtml(d.problems.length ? d.problems.join(', ') : 'ok')}</span></td>
<td>${escapeHtml(d.tenant)}</td><td>${escapeHtml(d.venue)}</td><td>${escapeHtml(d.device)}</td><td>${escapeHtml(d.kind ?? '')}</td>
<td title="${escapeHtml(d.lastSeen?.toISOString() ?? '')}">${escapeHtml(fmtAge(d.silentSeconds))}</td>
<td class="num">${escapeHtml(d.outboxDepth ?? '')}</td><td class="num">${escapeHtml(d.oldestUnsentSeconds ?? '')}</td>
<td class="num">${escapeHtml(fmtClock(d))}</td><td>${escapeHtml(fmtScanner(d))}</td>
<td>${escapeHtml(d.upstreamError ?? '')}</td><td>${escapeHtml(d.appVersion ?? '')}</td></tr>`);
  return page('Fleet', `<p>${devices.length} devices, ${problems} with problems, as of ${escapeHtml(now.toISOString())}. Newest problems first.</p>
<table><thead><tr><th>state</th><th>tenant</th><th>venue</th><th>device</th><th>kind</th><th>last heartbeat</th>
<th>outbox depth</th><th>oldest unsent (s)</th><th>clock (device − receiver)</th><th>scanner ok</th><th>last upstream fault</th><th>app version</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>`);
}

export function billingPage(rows: BillingRow[], month: string | undefined): string {
  const head = BILLING_COLUMNS.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = rows.map((r) => `<tr${r.over_plan ? ' class="over"' : ''}>${BILLING_COLUMNS.map((c) => {
    const v = r[c];
    return `<td${typeof v === 'number' ? ' class="num"' : ''}>${escapeHtml(v)}</td>`;
  }).join('')}</tr>`);
  const csvHref = `/admin/billing.csv${month ? `?month=${encodeURIComponent(month)}` : ''}`;
  return page(month ? `Billing ${month}` : 'Billing', `<p>Per tenant and month. Closed months are frozen; open months are live. Rows over plan are
highlighted (usage over the plan is billed as overage, never refused). <a href="${escapeHtml(csvHref)}">CSV</a></p>
<table><thead><tr>${head}</tr></thead>
<tbody>
${body.join('\n')}
</tbody></table>`);
}
