// Electron main process of the door kiosk: opens the kiosk runtime (check-in service, scanners), the kiosk window, the IPC
// channel map, and forwards scans and status to the renderer. Thin on purpose: the logic lives in the service and renderer.
import { app, ipcMain, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { ipcEventName, type KioskEventName, type KioskEvents } from '../ipc/channels';
import { createHandlers } from '../ipc/handlers';
import { openKioskRuntime, type KioskRuntime } from '../runtime';
import { registerIpcHandlers } from './register-ipc';
import { kioskAppPaths } from './layout';
import { createKioskWindow, pageUrlPrefix } from './window';

/** More crashes than this within a minute means relaunching the renderer does not help: restart the whole app. */
const MAX_CRASHES_PER_MINUTE = 3;

async function start(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  // This file runs bundled as dist/kiosk/main.cjs, with its preload, page and migrations beside it (./layout).
  const { indexHtml, preload } = kioskAppPaths(__dirname);
  const configPath = process.env.SEATPILOT_KIOSK_CONFIG ?? join(app.getPath('userData'), 'kiosk.json');

  await app.whenReady();
  let runtime: KioskRuntime;
  try {
    runtime = await openKioskRuntime(configPath);
  } catch (e) {
    // A bad config stops the app with a message naming the field; the box's service manager shows it.
    console.error(`seatpilot kiosk: ${(e as Error).message}`);
    app.exit(1);
    return;
  }
  const allowed = pageUrlPrefix(indexHtml);
  registerIpcHandlers(
    ipcMain,
    createHandlers({ service: runtime.service, logError: (ch, e) => console.error(`kiosk ipc ${ch}: ${(e as Error).message}`) }),
    (event) => event.senderFrame?.url === allowed,
  );

  let win: BrowserWindow | null = null;
  const crashes: number[] = [];
  const send = <E extends KioskEventName>(name: E, payload: KioskEvents[E]) => {
    if (win && !win.isDestroyed()) win.webContents.send(ipcEventName(name), payload);
  };
  const open = () => {
    win = createKioskWindow({ indexHtml, preload, devTools: !app.isPackaged });
    win.webContents.on('render-process-gone', (_event, details) => {
      console.error(`kiosk renderer gone (${details.reason}, exit ${details.exitCode})`);
      const now = Date.now();
      crashes.push(now);
      while (crashes.length && crashes[0]! < now - 60_000) crashes.shift();
      if (crashes.length > MAX_CRASHES_PER_MINUTE) {
        app.relaunch();
        app.exit(0);
        return;
      }
      win?.destroy();
      open();
    });
  };
  open();
  runtime.onScan((scan) => send('scan', scan));
  runtime.onStatus((status) => send('status', status));
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => void runtime.close());
}

void start();
