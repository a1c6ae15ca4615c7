// Registers every channel of the map on Electron's ipcMain, and only those: a renderer message on any other name has no handler.
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { CHANNEL_NAMES, ipcChannelName, type IpcResult } from '../ipc/channels';
import type { Handlers } from '../ipc/handlers';

/** The part of ipcMain used here, so tests can pass a recorder instead of Electron. */
export type IpcMainLike = Pick<IpcMain, 'handle' | 'removeHandler'>;

/**
 * `isTrustedSender` rejects calls from any frame but the kiosk's own page (e.g. an iframe or a page reached despite the
 * navigation block), so a foreign page can never drive check-ins.
 */
export function registerIpcHandlers(ipcMain: IpcMainLike, handlers: Handlers, isTrustedSender: (event: IpcMainInvokeEvent) => boolean): () => void {
  for (const channel of CHANNEL_NAMES) {
    ipcMain.handle(ipcChannelName(channel), async (event: IpcMainInvokeEvent, request: unknown): Promise<IpcResult<unknown>> => {
      if (!isTrustedSender(event)) return { ok: false, error: { code: 'bad_request', message: 'This page may not use the kiosk channels.' } };
      return handlers[channel](request);
    });
  }
  return () => {
    for (const channel of CHANNEL_NAMES) ipcMain.removeHandler(ipcChannelName(channel));
  };
}
