// The Content-Security-Policy every page SeatPilot serves starts from (the kiosk's screens, the table tablet): only the
// page's own script, styles and endpoints; no inline script, no eval, no plugins, never framed. A page adds what it needs.
export interface PageCspExtras {
  /** More `style-src` sources, e.g. the SHA-256 of an inline style block. */
  styleSources?: string[];
  /** A web app manifest and a service worker from the page's own origin (the tablet PWA). */
  pwa?: boolean;
}

export function pageCsp(extras: PageCspExtras = {}): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    ["style-src 'self'", ...(extras.styleSources ?? [])].join(' '),
    "img-src 'self' data:",
    "connect-src 'self'",
    ...(extras.pwa ? ["manifest-src 'self'", "worker-src 'self'"] : []),
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
