// The renderer's Content-Security-Policy, one string for the Electron window and the browser-mode server: only the
// kiosk's own script, styles and endpoints; no inline script, no eval, no frames, no plugins.
import { pageCsp } from '../protocol/page-csp';
export const KIOSK_CSP = pageCsp();
