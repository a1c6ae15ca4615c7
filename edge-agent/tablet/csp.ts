// The tablet page's Content-Security-Policy and frame protection, after the kiosk's (kiosk/csp.ts): only the hub's own
// script, manifest, icon and API, the page's one inline style block by its hash; no eval, no plugins, never framed.
import { createHash } from 'node:crypto';
import { pageCsp } from '../../protocol/page-csp';

/** The policy for this exact page: each inline `<style>` block is allowed by its SHA-256, nothing else inline. */
export function tabletCsp(html: string): string {
  const styleHashes = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1]!, 'utf8').digest('base64')}'`);
  return pageCsp({ styleSources: styleHashes, pwa: true });
}

/** What every /tablet file is served with. */
export function tabletSecurityHeaders(csp: string): Record<string, string> {
  return { 'content-security-policy': csp, 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
}
