// A generated banquet-hall floor plan (doors, walls, a stage, a bar, pillars, N round tables in rows): the demo venue of
// browser mode, the wayfinding benchmark's 200-table floor and the kiosk UI tests share it.
import type { SyncFloorPlan, SyncTable } from '../core/contract/contract';

export interface SampleFloor {
  plan: SyncFloorPlan;
  tables: SyncTable[];
}

/** `count` tables of 1.8 m in rows of 20, 3.2 m apart, in a hall sized to fit them; table ids are `t1`…`tN`. */
export function sampleFloor(count: number): SampleFloor {
  const perRow = Math.min(20, Math.max(1, count));
  const rowsOfTables = Math.ceil(count / perRow);
  const pitch = 3.2;
  const left = 4;
  const top = 8; // room for the stage along the top wall
  const width = left * 2 + perRow * pitch;
  const height = top + rowsOfTables * pitch + 6;
  const tables: SyncTable[] = [];
  for (let i = 0; i < count; i++) {
    const col = i % perRow;
    const row = Math.floor(i / perRow);
    tables.push({ id: `t${i + 1}`, label: String(i + 1), capacity: 10, shape: 'round', x: left + col * pitch, y: top + row * pitch, w: 1.8, h: 1.8 });
  }
  const mid = width / 2;
  const plan: SyncFloorPlan = {
    width,
    height,
    // Outer walls with openings for the two doors (bottom middle, left side), and a partition beside the bar.
    walls: [
      { x1: 0, y1: 0, x2: width, y2: 0 },
      { x1: width, y1: 0, x2: width, y2: height },
      { x1: 0, y1: height, x2: mid - 1.5, y2: height },
      { x1: mid + 1.5, y1: height, x2: width, y2: height },
      { x1: 0, y1: 0, x2: 0, y2: height / 2 - 1.5 },
      { x1: 0, y1: height / 2 + 1.5, x2: 0, y2: height },
      { x1: width - 8, y1: height - 4, x2: width - 8, y2: height },
    ],
    obstacles: [
      { x: mid - 6, y: 1, w: 12, h: 4 }, // stage
      { x: width - 7, y: height - 3, w: 6, h: 2 }, // bar
      ...Array.from({ length: Math.max(0, rowsOfTables - 1) }, (_, r) => ({ x: mid - 0.3 + pitch / 2, y: top + r * pitch + 2.2, w: 0.6, h: 0.6 })),
    ],
    doors: [
      { id: 'main', label: 'Main entrance', x: mid, y: height - 0.2 },
      { id: 'side', label: 'Garden door', x: 0.2, y: height / 2 },
    ],
  };
  return { plan, tables };
}
