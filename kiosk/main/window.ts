// The kiosk window: full screen, no menu, locked to the kiosk page, renderer sandboxed and isolated, recreated after a crash.
import { BrowserWindow, Menu, session } from 'electron';
import { KIOSK_CSP } from '../csp';
import { lockDown } from './lock-down';

export interface KioskWindowOptions {
  /** The bundled renderer page (file path) and preload script. */
  indexHtml: string;
  preload: string;
  /** Devtools only in development builds: a guest must never reach them. */
  devTools: boolean;
}

/** The only URL prefix the window may show and the only sender the IPC handlers trust. */
export const pageUrlPrefix = (indexHtml: string): string => new URL(`file://${indexHtml}`).href;

export function createKioskWindow(opts: KioskWindowOptions): BrowserWindow {
  Menu.setApplicationMenu(null);
  // The CSP also travels as a header for every response of the default session (the page carries it as a meta tag too).
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [KIOSK_CSP] } });
  });
  const win = new BrowserWindow({
    kiosk: true,
    fullscreen: true,
    autoHideMenuBar: true,
    backgroundColor: '#000000',
    show: false,
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
      devTools: opts.devTools,
      spellcheck: false,
      navigateOnDragDrop: false,
    },
  });
  const allowed = pageUrlPrefix(opts.indexHtml);
  lockDown(win.webContents, allowed);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(allowed);
  return win;
}
