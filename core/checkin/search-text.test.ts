import { describe, expect, it } from 'vitest';
import { foldText, nameTokens, prefixUpperBound, queryTokens } from './search-text';

describe('search text folding', () => {
  it('folds accents and case, decomposed or composed', () => {
    expect(foldText('José Núñez')).toBe('jose nunez');
    expect(foldText('Jose\u0301 N\u0303')).toBe('jose n');
    expect(foldText('ŁUKASZ Øster Straße')).toBe('lukasz oster strasse');
  });
  it('splits names into searchable words', () => {
    expect(nameTokens("Ana-Sofía O'Brien  de la Peña")).toEqual(['ana', 'sofia', 'obrien', 'de', 'la', 'pena']);
    expect(nameTokens('Zoë Zoë')).toEqual(['zoe']);
  });
  it('needs two letters to search', () => {
    expect(queryTokens('j')).toEqual([]);
    expect(queryTokens('  ')).toEqual([]);
    expect(queryTokens('Jo')).toEqual(['jo']);
    expect(queryTokens('ana m')).toEqual(['ana', 'm']);
  });
  // SQLite's BINARY collation compares UTF-8 bytes, so that is the order to check (not JS's UTF-16 `<`).
  const utf8Less = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0;
  it('bounds a prefix range above every word with that prefix, in SQLite byte order', () => {
    const hi = prefixUpperBound('jo');
    for (const w of ['jo', 'jose', 'joz', 'jo\uffff', 'jo😀']) expect(utf8Less(w, hi)).toBe(true);
    expect(utf8Less('jp', hi)).toBe(false);
  });
});
