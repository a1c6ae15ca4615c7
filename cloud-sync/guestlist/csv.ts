// RFC 4180 CSV reading for the guest-list and table imports: quoted fields with commas, quotes and line breaks, CRLF or
// LF line ends, a leading UTF-8 BOM. Each record keeps the line it starts on, so a bad row can be named by line number.

export interface CsvRecord {
  /** 1-based line of the file where this record starts (the header is line 1). */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  override name = 'CsvSyntaxError';
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/** Every record of `text`, blank lines skipped. Throws CsvSyntaxError on an unterminated or malformed quoted field. */
export function parseCsv(text: string): CsvRecord[] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  const n = s.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let endOfRecord = false;
    while (!endOfRecord) {
      let field = '';
      if (s[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) throw new CsvSyntaxError(start, 'a quoted field is not closed before the end of the file');
          const c = s[i] as string;
          if (c === '"') {
            if (s[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        const next = s[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new CsvSyntaxError(line, 'a closing quote must be followed by a comma or the end of the line (write "" for a quote inside a quoted field)');
        }
      } else {
        const from = i;
        while (i < n && s[i] !== ',' && s[i] !== '\n' && s[i] !== '\r') i++;
        field = s.slice(from, i);
        if (field.includes('"')) throw new CsvSyntaxError(line, 'a field with a quote in it must be quoted as a whole, with the quote doubled ("")');
      }
      fields.push(field);
      const c = s[i];
      if (c === ',') {
        i++;
      } else {
        if (c === '\r') i++;
        if (s[i] === '\n') i++;
        line++;
        endOfRecord = true;
      }
    }
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: start, fields });
  }
  return records;
}
