// The renderer's way to main: Electron's preload bridge when present, else browser mode's HTTP bridge (POST /ipc/:channel
// for the channel map, Server-Sent Events on /events for pushed scans and status). Both satisfy the same KioskBridge.
import { KIOSK_SESSION_HEADER, KIOSK_SESSION_META, KIOSK_SESSION_QUERY } from '../browser/session-names';
import type { Channel, ChannelRequest, ChannelResponse, IpcResult, KioskBridge, KioskEventName, KioskEvents } from '../ipc/channels';

/**
 * The kiosk was restarted and this page still carries the last boot's session: load the page again for the new one.
 * At most once in 10 s (later rather than never), so a page that can never get a session does not spin.
 */
let reloading = false;
function reloadForSession(): void {
  if (reloading) return;
  reloading = true;
  const last = Number(sessionStorage.getItem('seatpilot-session-reload') ?? 0);
  setTimeout(() => {
    sessionStorage.setItem('seatpilot-session-reload', String(Date.now()));
    location.reload();
  }, Math.max(0, last + 10_000 - Date.now()));
}

export function httpBridge(base = ''): KioskBridge {
  let source: EventSource | null = null;
  // Written by browser mode into the page it serves; only this page (not another origin) can read it.
  const session = document.querySelector<HTMLMetaElement>(`meta[name="${KIOSK_SESSION_META}"]`)?.content ?? '';
  return {
    async invoke<K extends Channel>(channel: K, request: ChannelRequest<K>): Promise<IpcResult<ChannelResponse<K>>> {
      try {
        const res = await fetch(`${base}/ipc/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json', [KIOSK_SESSION_HEADER]: session }, body: JSON.stringify(request) });
        const result = (await res.json()) as IpcResult<ChannelResponse<K>>;
        if (!result.ok && result.error.code === 'no_session') reloadForSession();
        return result;
      } catch {
        return { ok: false, error: { code: 'unavailable', message: 'The kiosk service is not answering.' } };
      }
    },
    on<E extends KioskEventName>(event: E, listener: (payload: KioskEvents[E]) => void): () => void {
      // EventSource reconnects by itself when the server restarts.
      if (!source) {
        const es = new EventSource(`${base}/events?${KIOSK_SESSION_QUERY}=${encodeURIComponent(session)}`);
        source = es;
        // Visible to staff tools and tests: scans pushed before the stream is open would not reach this page.
        es.addEventListener('open', () => (document.documentElement.dataset.push = 'open'));
        es.addEventListener('error', () => {
          document.documentElement.dataset.push = 'reconnecting';
          // Closed (not reconnecting) means the kiosk answered and refused: a restart gave it a new session.
          if (es.readyState === EventSource.CLOSED) reloadForSession();
        });
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
