// A set of listeners with an unsubscribe handle: how scanners and scanner sets tell the kiosk about scans and status.
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => void this.set.delete(listener);
  }

  emit(value: T): void {
    for (const l of this.set) l(value);
  }
}
