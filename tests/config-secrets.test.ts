// Every tier's config file goes through one loader (protocol/config-file.ts): a broken or wrong file stops the command
// with a message naming the file (and where, or which field), and no output carries what the file holds. JSON.parse's
// own message on Node 20 quotes the text around the error, which is how the agent's cloud secret reached the journal.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonErrorOffset, readJsonFile } from '../node-kit/config-file';
import { runCli } from './cli-run';

const SECRET = 's3cr3t-VALUE-123';
const root = mkdtempSync(join(tmpdir(), 'sp-config-secrets-'));

/** Broken files holding the secret; where each breaks, as line and column. */
const BROKEN: { name: string; text: string; where: RegExp }[] = [
  { name: 'truncated', text: `{"venue_id": "v", "cloud": {"secret": "${SECRET}"`, where: /ends too early/ },
  { name: 'missing comma', text: `{\n  "cloud": {\n    "secret": "${SECRET}" "key_id": "k"\n  }\n}`, where: /at line 3, column 34/ },
  // Node 20's message for this one is `Unexpected token 's', ..."secret": s3cr3t-VAL"... is not valid JSON`.
  { name: 'unquoted value', text: `{"cloud": {"secret": ${SECRET}}}`, where: /at line 1, column 22/ },
];
/** Valid JSON a tier refuses: the field is named, its value never. */
const WRONG = {
  agent: `{"venue_id": "v", "device_id": "d", "cloud": {"url": "http://127.0.0.1:9", "key_id": "k", "secret": 12345, "token": "${SECRET}"}}`,
  kiosk: `{"database": "k.sqlite", "kiosk": {"venue_id": "v", "device_id": "d", "door_id": "main"}, "ui": {"venue_name": "V", "language": "es", "staff_pin": "${SECRET}"}}`,
  hardware: `{"devices": [{"name": "${SECRET}", "role": 7}]}`,
};

let n = 0;
const fileWith = (text: string, name = 'config.json') => {
  const dir = join(root, String(n++));
  mkdirSync(dir);
  const file = join(dir, name);
  writeFileSync(file, text, { mode: 0o600 });
  return { dir, file };
};

/** Each tier's CLI entry that reads a config file, given that file. */
const ENTRIES: { tier: string; wrong?: keyof typeof WRONG; run: (file: string, dir: string) => ReturnType<typeof runCli> }[] = [
  { tier: 'seatpilot agent', wrong: 'agent', run: (f) => runCli(['agent', '--config', f]) },
  { tier: 'seatpilot agent pair-code', run: (f) => runCli(['agent', 'pair-code', '--config', f, '--device', 'dev_x']) },
  { tier: 'seatpilot agent pair-tablet', run: (f) => runCli(['agent', 'pair-tablet', '--config', f]) },
  { tier: 'seatpilot kiosk --browser', wrong: 'kiosk', run: (f) => runCli(['kiosk', '--browser', '--port', '0', '--config', f]) },
  { tier: 'seatpilot doctor', wrong: 'agent', run: (f) => runCli(['doctor', '--config', f]) },
  { tier: 'seatpilot pair', run: (_f, d) => runCli(['pair', '--cloud', 'http://127.0.0.1:9', '--code', 'abcd-efgh-jkmn', '--config-dir', d]) },
  { tier: 'seatpilot hw listen', wrong: 'hardware', run: (f) => runCli(['hw', 'listen', '--config', f]) },
];

describe('a broken config file holding a secret', () => {
  for (const entry of ENTRIES) {
    it(`${entry.tier}: stops, names the file and where it breaks, and prints no part of the secret`, async () => {
      for (const broken of BROKEN) {
        // `seatpilot pair` reads the box's config folder: agent.json there is the broken file.
        const { dir, file } = fileWith(broken.text, 'agent.json');
        const r = await entry.run(file, dir);
        const out = r.stdout + r.stderr;
        expect(r.code, `${broken.name}: ${out}`).not.toBe(0);
        expect(out, broken.name).toContain(file);
        expect(out, broken.name).toMatch(broken.where);
        expect(out, broken.name).not.toMatch(/s3cr3t|VALUE-1/);
      }
    });
  }

  for (const entry of ENTRIES.filter((e) => e.wrong)) {
    it(`${entry.tier}: valid JSON with a bad field names the file and the field, not the value`, async () => {
      const { dir, file } = fileWith(WRONG[entry.wrong as keyof typeof WRONG], 'agent.json');
      const r = await entry.run(file, dir);
      const out = r.stdout + r.stderr;
      expect(r.code, out).not.toBe(0);
      expect(out).toContain(file);
      expect(out).toMatch(/config\/|\/devices\/0|\/cloud\b|\/ui\//);
      expect(out).not.toMatch(/s3cr3t|VALUE-1/);
    });
  }
});

describe('readJsonFile', () => {
  it('reads a file with a byte-order mark, and says where JSON breaks without quoting it', () => {
    const { file } = fileWith(`\ufeff{"a": [1, 2]}`);
    expect(readJsonFile(file)).toEqual({ a: [1, 2] });
    const broken = fileWith('{"a": [1, 2,]}');
    expect(() => readJsonFile(broken.file, 'agent config')).toThrow(`the agent config ${broken.file} is not valid JSON at line 1, column 13`);
    expect(() => readJsonFile(join(root, 'absent.json'), 'agent config')).toThrow(`cannot read the agent config ${join(root, 'absent.json')}: ENOENT`);
  });

  it('finds the offset JSON.parse stops at', () => {
    for (const [text, at] of [['{"a" 1}', 5], ['[1,2,]', 5], ['01', 1], ['{"a": "\\x"}', 8], ['{"a": tru}', 9], ['{} x', 3]] as const) {
      expect(() => JSON.parse(text), text).toThrow();
      expect(jsonErrorOffset(text), text).toBe(at);
    }
    expect(jsonErrorOffset('{"a": [1, {"b": null}], "c": -1.5e3}')).toBe(-1);
  });
});
