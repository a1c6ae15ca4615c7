// A demo venue for browser mode (`seatpilot kiosk --browser --demo`), the kiosk UI tests and the scan-to-screen bench:
// sync pages (the same ones an agent would serve) applied through the check-in core, so every scan is a real check-in.
import type { SyncChange, SyncResponse } from '../core/contract/contract';
import { sampleFloor } from './sample-floor';

export const DEMO_DOOR = 'main';
export const DEMO_PIN = '2468';
/** The demo's supervisor PIN (ui.supervisor_pin); DEMO_PIN is the steward's. */
export const DEMO_SUPERVISOR_PIN = '1357';
export const DEMO_TABLES = 80;

/** Tickets with a story, for people trying the kiosk and for the tests. */
export const DEMO_TICKETS = {
  ana: 'SP-ANA-2026',
  jose: 'SP-JOSE-2026',
  revoked: 'SP-LUIS-VOID',
  notYetValid: 'SP-MARTA-LATER',
  expired: 'SP-PAU-PAST',
  unknown: 'SP-NOBODY-404',
  /** Seated in the closed room: the plan has no way in, so the screen shows the table without a route. */
  closedRoom: 'SP-IRENE-VIP',
} as const;

/** `BENCH-0001`… tickets, one guest each, spread over every table: for the benchmark's many distinct admissions. */
export const benchTicket = (i: number): string => `BENCH-${String(i).padStart(4, '0')}`;

export function demoSyncPage(nowMs: number, benchGuests = 0): SyncResponse {
  const iso = (ms: number) => new Date(ms).toISOString();
  const hour = 3_600_000;
  const { plan: hall, tables: hallTables } = sampleFloor(DEMO_TABLES);
  // A closed room in the bottom-left corner (its door is not on the plan): wayfinding finds no way in.
  const room = { x1: 2, y1: hall.height - 5.5, x2: 8, y2: hall.height - 1 };
  const plan = {
    ...hall,
    walls: [
      ...hall.walls,
      { x1: room.x1, y1: room.y1, x2: room.x2, y2: room.y1 },
      { x1: room.x2, y1: room.y1, x2: room.x2, y2: room.y2 },
      { x1: room.x2, y1: room.y2, x2: room.x1, y2: room.y2 },
      { x1: room.x1, y1: room.y2, x2: room.x1, y2: room.y1 },
    ],
  };
  const tables = [...hallTables, { id: 'vip', label: 'VIP', capacity: 6, shape: 'rect' as const, x: 3.5, y: room.y1 + 1.5, w: 3, h: 1.5 }];
  let v = 0;
  const changes: SyncChange[] = [
    { kind: 'occasion', version: ++v, occasion: { id: 'occ_demo', name: 'Boda de Ana y Pablo', starts_at: iso(nowMs - 2 * hour), ends_at: iso(nowMs + 10 * hour), timezone: 'Europe/Madrid', reentry_policy: 'single' } },
    { kind: 'floor_plan', version: ++v, floor_plan: plan },
    ...tables.map((table): SyncChange => ({ kind: 'table', version: ++v, table })),
  ];
  const guest = (id: string, name: string, table: number | string | null, ticket: string | null, over: { party_size?: number; status?: 'active' | 'revoked'; valid_from?: string | null; valid_to?: string | null } = {}): SyncChange => ({
    kind: 'guest',
    version: ++v,
    guest: {
      id,
      occasion_id: 'occ_demo',
      name,
      party_size: over.party_size ?? 2,
      table_id: table === null ? null : typeof table === 'number' ? `t${table}` : table,
      status: over.status ?? 'active',
      valid_from: over.valid_from ?? null,
      valid_to: over.valid_to ?? null,
      credentials: ticket ? [{ kind: 'barcode', value: ticket }] : [],
    },
  });
  changes.push(
    guest('g_ana', 'Ana García', 47, DEMO_TICKETS.ana),
    guest('g_jose', 'José Pérez', 12, DEMO_TICKETS.jose, { party_size: 4 }),
    guest('g_josefa', 'Josefa Ruiz', 33, null, { party_size: 1 }),
    guest('g_luis', 'Luis Romero', 5, DEMO_TICKETS.revoked, { status: 'revoked' }),
    guest('g_marta', 'Marta Núñez', 8, DEMO_TICKETS.notYetValid, { valid_from: iso(nowMs + 5 * hour) }),
    guest('g_pau', 'Pau Vidal', 9, DEMO_TICKETS.expired, { valid_to: iso(nowMs - hour) }),
    guest('g_irene', 'Irene Soler', 'vip', DEMO_TICKETS.closedRoom),
  );
  for (let i = 1; i <= benchGuests; i++) changes.push(guest(`g_bench_${i}`, `Invitado ${i}`, 1 + ((i * 37) % DEMO_TABLES), benchTicket(i)));
  return { cursor: `demo-${v}`, has_more: false, changes };
}
