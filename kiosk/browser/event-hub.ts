// Fan-out of the pushed kiosk events (scans, status) to every connected browser-mode page.
import type { KioskEventName, KioskEvents } from '../ipc/channels';

export type EventListener = <E extends KioskEventName>(event: E, payload: KioskEvents[E]) => void;

export class EventHub {
  private readonly listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  publish<E extends KioskEventName>(event: E, payload: KioskEvents[E]): void {
    for (const l of this.listeners) l(event, payload);
  }

  get size(): number {
    return this.listeners.size;
  }
}
