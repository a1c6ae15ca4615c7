// Accent- and case-insensitive name folding for staff search ("jose" finds "José Núñez"). Pure; the stored tokens and the
// query go through the very same function, so they always agree.

// Letters that Unicode does not decompose into base + combining mark, folded the way people type them without accents.
const SPECIAL: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', ł: 'l', ı: 'i', þ: 'th' };
const SPECIAL_RE = new RegExp(`[${Object.keys(SPECIAL).join('')}]`, 'g');

/** NFD, combining marks removed, lower case, the few non-decomposing letters spelled out. */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(SPECIAL_RE, (c) => SPECIAL[c] ?? c);
}

/**
 * The searchable words of a name: folded, apostrophes dropped ("O'Brien" → "obrien"), split on anything that is not a
 * letter or digit ("Ana-Sofía Pérez" → ana, sofia, perez). Duplicates removed, order kept.
 */
export function nameTokens(name: string): string[] {
  const words = foldText(name)
    .replace(/['’`´]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
  return [...new Set(words)];
}

/** Shortest query word that is searched (one letter would match a large part of any guest list). */
export const MIN_SEARCH_PREFIX = 2;

/** The query's words to prefix-match, or an empty list when the query is too short to search. */
export function queryTokens(query: string): string[] {
  const tokens = nameTokens(query);
  if (tokens.length === 0 || tokens.every((t) => t.length < MIN_SEARCH_PREFIX)) return [];
  // Single letters beside a longer word ("ana m") still narrow the result, so they are kept.
  return tokens;
}

/** The smallest string greater than every string that starts with `prefix`: the exclusive end of an index range scan. */
export function prefixUpperBound(prefix: string): string {
  return prefix + '\u{10FFFF}';
}
