// Keeps the kiosk window on its one page: no navigation, redirects, new windows, webviews or permission prompts.
// Types only from Electron, so tests can hand it a recording stand-in for WebContents.
import type { WebContents } from 'electron';

/** The part of WebContents used here. */
export type LockableContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'> & {
  session: Pick<WebContents['session'], 'setPermissionRequestHandler'>;
};

/** Blocks everything that would take the kiosk off its page: navigation, new windows, permission prompts, webviews. */
export function lockDown(contents: LockableContents, allowedUrl: string): void {
  contents.on('will-navigate', (event, url) => {
    if (url !== allowedUrl) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
}

