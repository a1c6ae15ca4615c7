// The kiosk preload: exposes the typed channel map (invoke) and the pushed events to the sandboxed renderer, nothing else.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CHANNEL_NAMES, EVENT_NAMES, ipcChannelName, ipcEventName, type Channel, type KioskEventName } from '../ipc/channel-names';
import type { KioskBridge } from '../ipc/channels';

const bridge: KioskBridge = {
  invoke: (channel, request) => {
    // The renderer is untrusted input too: only map channels cross, and main validates the request again.
    if (!CHANNEL_NAMES.includes(channel as Channel)) {
      return Promise.resolve({ ok: false, error: { code: 'unknown_channel', message: `Unknown channel "${String(channel)}".` } });
    }
    return ipcRenderer.invoke(ipcChannelName(channel), request);
  },
  on: (event, listener) => {
    if (!EVENT_NAMES.includes(event as KioskEventName)) return () => undefined;
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload as Parameters<typeof listener>[0]);
    ipcRenderer.on(ipcEventName(event), wrapped);
    return () => void ipcRenderer.removeListener(ipcEventName(event), wrapped);
  },
};

contextBridge.exposeInMainWorld('seatpilot', bridge);
