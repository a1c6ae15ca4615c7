// Browser mode's per-boot session secret: only a page that could read the kiosk's own index.html may call a channel or
// open /events. Another origin on this box or the LAN (another port is another origin) cannot read that page, and
// cannot send the custom header without a CORS preflight the kiosk never grants.
//
// Why a meta tag and not a cookie: cookies are not kept apart by port, so a server on 127.0.0.1:8080 would receive a
// cookie set by the kiosk on 127.0.0.1:3300, and SameSite treats both as one site. DNS rebinding is stopped earlier,
// by the Host allowlist (kiosk/browser/allowed-hosts.ts): a rebound request carries the attacker's host name and is
// refused before the page is served.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { KIOSK_SESSION_META } from './session-names';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export class KioskSession {
  private readonly expected: Buffer;

  constructor(private readonly secret: string = randomBytes(32).toString('base64url')) {
    this.expected = digest(secret);
  }

  /** Constant time: compared as digests, so neither length nor content leaks through timing. */
  matches(value: string | string[] | undefined): boolean {
    if (typeof value !== 'string' || value.length === 0 || value.length > 256) return false;
    return timingSafeEqual(digest(value), this.expected);
  }

  /** The page with the secret in a meta tag, first thing in its head. */
  inject(html: string): string {
    const tag = `<meta name="${KIOSK_SESSION_META}" content="${this.secret}">`;
    const head = /<head[^>]*>/i.exec(html);
    if (head) return html.slice(0, head.index + head[0].length) + `\n  ${tag}` + html.slice(head.index + head[0].length);
    const doctype = /^<!doctype[^>]*>/i.exec(html);
    return doctype ? doctype[0] + tag + html.slice(doctype[0].length) : tag + html;
  }
}

/** Reads the secret back out of a served page (the renderer does it from the DOM; tools and tests from the text). */
export function sessionFromPage(html: string): string | null {
  return new RegExp(`<meta name="${KIOSK_SESSION_META}" content="([^"]+)">`).exec(html)?.[1] ?? null;
}
