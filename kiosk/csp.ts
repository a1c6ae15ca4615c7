// The renderer's Content-Security-Policy, one string for the Electron window and the browser-mode server: only the
// kiosk's own script, styles and endpoints; no inline script, no eval, no frames, no plugins.
export const KIOSK_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');
