import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, parseCsv } from './csv';

describe('parseCsv (RFC 4180)', () => {
  it('reads quoted fields holding commas, doubled quotes and line breaks, with the line each record starts on', () => {
    const text = 'name,note\r\n"Ana, Jr.","said ""hi"""\r\n"Bo","two\r\nlines"\r\nCy,plain\r\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['name', 'note'] },
      { line: 2, fields: ['Ana, Jr.', 'said "hi"'] },
      { line: 3, fields: ['Bo', 'two\r\nlines'] },
      { line: 5, fields: ['Cy', 'plain'] },
    ]);
  });

  it('drops a UTF-8 BOM, accepts LF and a missing final line break, keeps empty fields and skips blank lines', () => {
    expect(parseCsv('\uFEFFa,b\n\n1,\n,2')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 3, fields: ['1', ''] },
      { line: 4, fields: ['', '2'] },
    ]);
  });

  it('keeps non-ASCII text intact', () => {
    expect(parseCsv('name\nJoão Ñúñez 李雷\n')[1]).toEqual({ line: 2, fields: ['João Ñúñez 李雷'] });
  });

  it.each([
    ['an unterminated quoted field', 'a\n"open\nstill open', 2, /not closed/],
    ['text after a closing quote', 'a\n"x"y\n', 2, /closing quote/],
    ['a bare quote inside an unquoted field', 'a\nx"y\n', 2, /must be quoted/],
  ])('names the line of %s', (_name, text, line, message) => {
    let err: unknown;
    try {
      parseCsv(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CsvSyntaxError);
    expect((err as CsvSyntaxError).line).toBe(line);
    expect((err as Error).message).toMatch(message);
  });
});
