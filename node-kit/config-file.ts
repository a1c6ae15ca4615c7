// The one loader of every tier's JSON config file (agent, kiosk, hardware, pair, doctor): read, parse, check against
// the tier's TypeBox schema. Its errors name the file, a line and column, and a field, never what the file holds:
// these files carry key secrets and the staff PIN, and JSON.parse's own message quotes the text around the error.
import { readFileSync } from 'node:fs';
import type { TSchema, Static } from '@sinclair/typebox';
import type { ValidateFunction } from 'ajv';
import { ajv, describeErrors } from '../core/contract/validate';

export class ConfigFileError extends Error {
  override name = 'ConfigFileError';
  constructor(
    readonly file: string,
    readonly reason: 'unreadable' | 'not_json' | 'invalid',
    message: string,
    /** For an unreadable file: ENOENT, EACCES… */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Where JSON text first stops being JSON (a UTF-16 offset), found by a scan of our own: no text is ever quoted. */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) fail();
      i++;
    }
  };
  const string = () => {
    i++; // the opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) return void i++;
      if (c < 0x20) fail();
      if (c === 0x5c) {
        i++;
        const e = text[i];
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) {
            if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) {
              i += k;
              fail();
            }
          }
          i += 5;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
        else fail();
      } else i++;
    }
    fail();
  };
  const number = () => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '-') fail();
    i += (m as RegExpExecArray)[0].length;
  };
  const value = (depth: number): void => {
    if (depth > 512) fail();
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    fail();
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail();
  } catch (at) {
    if (typeof at === 'number') return at;
    throw at;
  }
  return -1;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

/** The file's JSON value. Errors say which file and, for bad JSON, where: never a character of its content. */
export function readJsonFile(file: string, what = 'config file'): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigFileError(file, 'unreadable', `cannot read the ${what} ${file}: ${code ?? 'read failed'}`, code);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch {
    // The parser's message is dropped on purpose: it quotes the text around the error.
    const at = jsonErrorOffset(text);
    const where = at < 0 ? '' : at >= text.length ? ' (it ends too early: a missing } or ]?)' : (({ line, column }) => ` at line ${line}, column ${column}`)(lineColumn(text, at));
    throw new ConfigFileError(file, 'not_json', `the ${what} ${file} is not valid JSON${where}`);
  }
}

const compiled = new WeakMap<TSchema, ValidateFunction>();

/** Checks `raw` against `schema`; the error names the file and the field (`config/cloud/secret must be string`), never its value. */
export function checkConfig<T extends TSchema>(raw: unknown, schema: T, file: string, what = 'config file'): Static<T> {
  let validate = compiled.get(schema);
  if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
  if (!validate(raw)) throw new ConfigFileError(file, 'invalid', `the ${what} ${file}: ${describeErrors(validate, 'config')}`);
  return raw as Static<T>;
}

/** readJsonFile, then checkConfig. */
export function loadConfigFile<T extends TSchema>(file: string, schema: T, what = 'config file'): Static<T> {
  return checkConfig(readJsonFile(file, what), schema, file, what);
}
