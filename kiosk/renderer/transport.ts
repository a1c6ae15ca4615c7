// The renderer's way to main: Electron's preload bridge when present, else browser mode's HTTP bridge (POST /ipc/:channel
// for the channel map, Server-Sent Events on /events for pushed scans and status). Both satisfy the same KioskBridge.
import type { Channel, ChannelRequest, ChannelResponse, IpcResult, KioskBridge, KioskEventName, KioskEvents } from '../ipc/channels';

export function httpBridge(base = ''): KioskBridge {
  let source: EventSource | null = null;
  return {
    async invoke<K extends Channel>(channel: K, request: ChannelRequest<K>): Promise<IpcResult<ChannelResponse<K>>> {
      try {
        const res = await fetch(`${base}/ipc/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
        return (await res.json()) as IpcResult<ChannelResponse<K>>;
      } catch {
        return { ok: false, error: { code: 'unavailable', message: 'The kiosk service is not answering.' } };
      }
    },
    on<E extends KioskEventName>(event: E, listener: (payload: KioskEvents[E]) => void): () => void {
      // EventSource reconnects by itself when the server restarts.
      if (!source) {
        source = new EventSource(`${base}/events`);
        // Visible to staff tools and tests: scans pushed before the stream is open would not reach this page.
        source.addEventListener('open', () => (document.documentElement.dataset.push = 'open'));
        source.addEventListener('error', () => (document.documentElement.dataset.push = 'reconnecting'));
      }
      const handler = (e: MessageEvent<string>) => listener(JSON.parse(e.data) as KioskEvents[E]);
      source.addEventListener(event, handler);
      return () => source?.removeEventListener(event, handler);
    },
  };
}

export function pickBridge(): KioskBridge {
  const electron = (globalThis as { seatpilot?: KioskBridge }).seatpilot;
  return electron ?? httpBridge();
}
