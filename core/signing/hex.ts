// Hex text ⇄ bytes for the hardware adapters and the CLI: report bytes, UIDs and BLE payloads are all typed as hex by people.

export type HexParse = { ok: true; bytes: Uint8Array } | { ok: false; reason: string };

/**
 * Parse hex that a person typed or a tool printed: upper or lower case, with or without `0x`, and with any of
 * space, `:`, `-` or `,` between bytes. Separated groups must be whole bytes so `4c:0` is refused, not guessed.
 */
export function parseHex(text: string): HexParse {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, reason: 'no hex digits' };
  const groups = trimmed.split(/[\s:,-]+/).filter((g) => g !== '');
  const out: number[] = [];
  for (const raw of groups) {
    const g = raw.replace(/^0x/i, '');
    if (!/^[0-9a-fA-F]+$/.test(g)) return { ok: false, reason: `"${raw.slice(0, 20)}" is not hex` };
    if (g.length % 2 !== 0) return { ok: false, reason: `"${raw.slice(0, 20)}" has an odd number of hex digits` };
    for (let i = 0; i < g.length; i += 2) out.push(parseInt(g.slice(i, i + 2), 16));
  }
  return { ok: true, bytes: Uint8Array.from(out) };
}

export function toHex(bytes: ArrayLike<number>, separator = ''): string {
  return Array.from(bytes, (b) => (b & 0xff).toString(16).padStart(2, '0').toUpperCase()).join(separator);
}
