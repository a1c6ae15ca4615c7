// The designer bench's venue: a deterministic banquet hall of N round tables (a grid of rows with aisles), walls round
// it with gaps for four doors, a stage, a bar, a dance floor, pillars and labels; and a guest list to fill it (most
// parties of one, some of two to four, families and companies as groups, a few needs), unseated so auto-assign has
// the whole list to place.
import { emptyLayout, type Layout, type LayoutTable } from '../core/designer/layout';
import { seededRandom } from '../core/seating/engine';

/** Metres between table centres, and of the room's margin. */
const PITCH = 3.2;
const MARGIN = 5;
export const CAPACITY = 12;

/** Columns of the grid for `n` tables: a hall wider than deep. */
function columnsFor(n: number): number {
  return Math.max(1, Math.ceil(Math.sqrt(n * 1.6)));
}

/**
 * The hall for `roomFor` tables (walls, doors, stage, bar …) with `tables` of them placed (0: the empty hall). Table
 * ids are unique across venues (the guest list's table_id), so each venue's hall gets its own `idPrefix`.
 */
export function benchLayout(tables: number, roomFor = tables, idPrefix = 't'): Layout {
  const cols = columnsFor(Math.max(roomFor, 1));
  const rows = Math.max(1, Math.ceil(Math.max(roomFor, 1) / cols));
  // An aisle of one pitch after every fifth column and row.
  const aisles = (k: number) => Math.floor(k / 5);
  const width = Math.ceil(MARGIN * 2 + (cols - 1 + aisles(cols - 1)) * PITCH + 2);
  const height = Math.ceil(MARGIN * 2 + 8 + (rows - 1 + aisles(rows - 1)) * PITCH + 2);
  const layout = emptyLayout(width, height);
  const top = MARGIN + 8; // the stage and the dance floor are in front of the first row
  const list: LayoutTable[] = [];
  for (let i = 0; i < tables; i++) {
    const c = i % cols;
    const r = Math.floor(i / cols);
    list.push({
      id: `${idPrefix}${String(i + 1).padStart(3, '0')}`, label: String(i + 1), shape: i % 10 === 9 ? 'rect' : 'round', capacity: CAPACITY,
      x: MARGIN + 1 + (c + aisles(c)) * PITCH, y: top + (r + aisles(r)) * PITCH, w: i % 10 === 9 ? 2.4 : 1.8, h: i % 10 === 9 ? 1.2 : 1.8,
      rotation: 0, tags: i % 25 === 0 ? ['accessible'] : [],
    });
  }
  layout.tables = list;
  const w = width;
  const h = height;
  // The outer wall in four runs, leaving a 2 m gap at each door.
  const mid = Math.round(w / 2);
  const side = Math.round(h / 2);
  layout.walls = [
    { id: 'wall-north', points: [{ x: 0, y: 0 }, { x: w, y: 0 }] },
    { id: 'wall-east', points: [{ x: w, y: 0 }, { x: w, y: side - 1 }] },
    { id: 'wall-east-2', points: [{ x: w, y: side + 1 }, { x: w, y: h }] },
    { id: 'wall-south', points: [{ x: w, y: h }, { x: mid + 1, y: h }] },
    { id: 'wall-south-2', points: [{ x: mid - 1, y: h }, { x: 0, y: h }] },
    { id: 'wall-west', points: [{ x: 0, y: h }, { x: 0, y: side + 1 }] },
    { id: 'wall-west-2', points: [{ x: 0, y: side - 1 }, { x: 0, y: 0 }] },
  ];
  layout.doors = [
    { id: 'main', label: 'Main entrance', x: mid, y: h - 0.6 },
    { id: 'east', label: 'Garden door', x: w - 0.6, y: side },
    { id: 'west', label: 'Terrace door', x: 0.6, y: side },
    { id: 'north', label: 'Service door', x: 2, y: 0.6 },
  ];
  layout.obstacles = [
    { id: 'stage', kind: 'stage', label: 'Stage', shape: 'rect', x: w / 2, y: 2.5, w: Math.min(12, w / 3), h: 3, rotation: 0 },
    { id: 'dance', kind: 'dance_floor', label: 'Dance floor', shape: 'rect', x: w / 2, y: 7.5, w: Math.min(10, w / 3), h: 4, rotation: 0 },
    { id: 'bar', kind: 'bar', label: 'Bar', shape: 'rect', x: w - 3, y: 3, w: 4, h: 1.2, rotation: 0 },
    { id: 'pillar-1', kind: 'pillar', label: '', shape: 'round', x: w / 3, y: h / 2 + 0.3, w: 0.6, h: 0.6, rotation: 0 },
  ];
  layout.labels = [{ id: 'label-hall', text: 'Gran Salón', x: 4, y: 3, size: 1, rotation: 0 }];
  return layout;
}

const FIRST = ['José', 'María', 'Lucía', 'Pablo', 'Álvaro', 'Carmen', 'Javier', 'Ana', 'Elena', 'Íñigo', 'Nuria', 'Raúl', 'Sofía', 'Hugo', 'Marta'];
const LAST = ['García', 'Fernández', 'López', 'Martínez', 'Sánchez', 'Romero', 'Navarro', 'Torres', 'Ibáñez', 'Castro', 'Ortega', 'Núñez', 'Prieto'];

export interface GuestsCsv {
  csv: string;
  /** Seats the list needs (the sum of the parties). */
  seats: number;
}

/** `guests` parties, none seated: name, party_size, barcode, group, needs. */
export function benchGuestsCsv(guests: number): GuestsCsv {
  const r = seededRandom(19); // mulberry32: the same list on every machine
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const lines = ['guest_id,name,party_size,table,barcode,group,needs'];
  let seats = 0;
  for (let i = 0; i < guests; i++) {
    const last = pick(LAST);
    const party = r() < 0.9 ? 1 : r() < 0.8 ? 2 : 3;
    seats += party;
    const g = r();
    const group = g < 0.25 ? `Familia ${last}` : g < 0.35 ? `Empresa ${1 + Math.floor(r() * 30)}` : '';
    const needs = r() < 0.02 ? 'accessible' : '';
    lines.push(`bg${String(i).padStart(5, '0')},${pick(FIRST)} ${last} ${i},${party},,DSG-${String(i).padStart(6, '0')},${group},${needs}`);
  }
  return { csv: `${lines.join('\n')}\n`, seats };
}
