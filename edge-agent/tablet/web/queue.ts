// Taps waiting to reach the hub, kept in localStorage so a reload or a dead battery loses none. Each tap carries the
// key made when it happened; the hub stores a key once, so a retry after a lost answer never counts twice.
export type QueuedAction =
  | { kind: 'arrive'; key: string; guest_id: string; table_id: string; tapped_at: string }
  | { kind: 'undo'; key: string; guest_id: string };

export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const KEY = 'seatpilot.tablet.queue';

export class TapQueue {
  constructor(private readonly storage: KeyValue) {}

  all(): QueuedAction[] {
    try {
      const v = JSON.parse(this.storage.getItem(KEY) ?? '[]') as unknown;
      return Array.isArray(v) ? (v as QueuedAction[]) : [];
    } catch {
      return [];
    }
  }

  private save(items: QueuedAction[]): void {
    this.storage.setItem(KEY, JSON.stringify(items));
  }

  push(a: QueuedAction): void {
    this.save([...this.all(), a]);
  }

  /** Undo of a tap that never left the tablet: both simply disappear. True when that was the case. */
  cancelArrive(key: string): boolean {
    const items = this.all();
    const left = items.filter((a) => !(a.kind === 'arrive' && a.key === key));
    if (left.length === items.length) return false;
    this.save(left);
    return true;
  }

  remove(a: QueuedAction): void {
    this.save(this.all().filter((x) => !(x.kind === a.kind && x.key === a.key)));
  }
}

/** Splits a server-sent-events text stream into events; returns the events and the unfinished tail. */
export function parseSse(buffer: string): { events: Array<{ event: string; data: string }>; rest: string } {
  const events: Array<{ event: string; data: string }> = [];
  const blocks = buffer.split(/\r?\n\r?\n/);
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':')) continue;
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length) events.push({ event, data: data.join('\n') });
  }
  return { events, rest };
}
