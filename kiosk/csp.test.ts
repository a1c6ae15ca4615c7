import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KIOSK_CSP } from './csp';

describe('Content-Security-Policy', () => {
  it('the page carries the same policy as the header (minus frame-ancestors, which a meta tag cannot set)', () => {
    const html = readFileSync(join(import.meta.dirname, 'renderer', 'index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    const header = KIOSK_CSP.split('; ').filter((d) => !d.startsWith('frame-ancestors')).join('; ');
    expect(meta).toBe(header);
    expect(KIOSK_CSP).not.toMatch(/unsafe-(inline|eval)/);
  });
});
