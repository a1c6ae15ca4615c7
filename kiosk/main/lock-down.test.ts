import { describe, expect, it } from 'vitest';
import { lockDown, type LockableContents } from './lock-down';

/** Records the listeners main installs, standing in for Electron's WebContents (Electron cannot start here). */
function recorder() {
  const listeners = new Map<string, (event: { preventDefault(): void }, ...args: unknown[]) => void>();
  let openHandler: ((details: unknown) => { action: string }) | null = null;
  let permission: ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  const contents = {
    on: (name: string, fn: never) => listeners.set(name, fn),
    setWindowOpenHandler: (fn: never) => (openHandler = fn),
    session: { setPermissionRequestHandler: (fn: never) => (permission = fn) },
  } as unknown as LockableContents;
  const fire = (name: string, ...args: unknown[]) => {
    let prevented = false;
    listeners.get(name)?.({ preventDefault: () => (prevented = true) }, ...args);
    return prevented;
  };
  return { contents, fire, open: () => openHandler?.({ url: 'https://evil.example' }), ask: (p: string) => new Promise<boolean>((r) => permission?.(null, p, r)) };
}

describe('kiosk window lock-down', () => {
  const page = 'file:///opt/seatpilot/renderer/index.html';

  it('keeps the window on the kiosk page', () => {
    const r = recorder();
    lockDown(r.contents, page);
    expect(r.fire('will-navigate', 'https://example.com/')).toBe(true);
    expect(r.fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(r.fire('will-navigate', page)).toBe(false); // a reload of the kiosk page itself
    expect(r.fire('will-redirect', 'https://example.com/')).toBe(true);
    expect(r.fire('will-attach-webview')).toBe(true);
  });

  it('opens no windows and grants no permission (camera, microphone, notifications…)', async () => {
    const r = recorder();
    lockDown(r.contents, page);
    expect(r.open()).toEqual({ action: 'deny' });
    expect(await r.ask('media')).toBe(false);
    expect(await r.ask('notifications')).toBe(false);
  });
});
