import { describe, expect, it } from 'vitest';
import type { IpcMainInvokeEvent } from 'electron';
import { CHANNEL_NAMES, ipcChannelName } from '../ipc/channels';
import { createHandlers, type KioskServicePort } from '../ipc/handlers';
import { registerIpcHandlers, type IpcMainLike } from './register-ipc';

/** Records what main registers, standing in for Electron's ipcMain (Electron cannot start on this machine). */
function recorder() {
  const handlers = new Map<string, (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown>();
  const ipc: IpcMainLike = {
    handle: (name, fn) => {
      if (handlers.has(name)) throw new Error(`Attempted to register a second handler for '${name}'`);
      handlers.set(name, fn);
    },
    removeHandler: (name) => void handlers.delete(name),
  };
  return { ipc, handlers };
}

const service = {
  scan: async (c: { value: string }) => ({ outcome: 'rejected', reason: 'unknown_credential', guest: null, previous: null, echo: c.value }),
} as unknown as KioskServicePort;

const fromUrl = (url: string) => ({ senderFrame: { url } }) as unknown as IpcMainInvokeEvent;
const trusted = (e: IpcMainInvokeEvent) => e.senderFrame?.url.startsWith('file:///opt/seatpilot/') ?? false;

describe('registerIpcHandlers', () => {
  it('registers exactly the channel map under its prefix and routes to the handlers', async () => {
    const { ipc, handlers } = recorder();
    registerIpcHandlers(ipc, createHandlers({ service }), trusted);
    expect([...handlers.keys()].sort()).toEqual(CHANNEL_NAMES.map(ipcChannelName).sort());
    const scan = handlers.get('seatpilot:checkin.scan')!;
    expect(await scan(fromUrl('file:///opt/seatpilot/index.html'), { kind: 'barcode', value: 'X1' })).toMatchObject({ ok: true, value: { reason: 'unknown_credential', echo: 'X1' } });
    expect(await scan(fromUrl('file:///opt/seatpilot/index.html'), { kind: 'barcode' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it('refuses calls from a page that is not the kiosk', async () => {
    const { ipc, handlers } = recorder();
    registerIpcHandlers(ipc, createHandlers({ service }), trusted);
    const r = await handlers.get('seatpilot:checkin.scan')!(fromUrl('https://evil.example/'), { kind: 'barcode', value: 'X1' });
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it('unregisters everything so a recreated window can register again', () => {
    const { ipc, handlers } = recorder();
    const off = registerIpcHandlers(ipc, createHandlers({ service }), trusted);
    off();
    expect(handlers.size).toBe(0);
    registerIpcHandlers(ipc, createHandlers({ service }), trusted);
    expect(handlers.size).toBe(CHANNEL_NAMES.length);
  });
});
