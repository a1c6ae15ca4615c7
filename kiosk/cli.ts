// `seatpilot kiosk --browser`: the kiosk UI served over HTTP (the same renderer and channel map as the Electron shell),
// for Chromium's kiosk mode on the appliance and for browser tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError, parseOptions } from '../node-kit/cli';
import type { KioskAppConfig } from './app-config';
import { checkAllowedHost } from './browser/allowed-hosts';
import { startBrowserMode } from './browser/server';
import { DEMO_DOOR, DEMO_PIN, DEMO_SUPERVISOR_PIN, demoSyncPage } from './demo-venue';
import { openKioskRuntime, openRuntimeFromConfig, type KioskRuntime } from './runtime';

const USAGE = `usage: seatpilot kiosk --browser [--port 3300] [--host 127.0.0.1] [--allowed-host NAME]... (--config FILE | --demo [--data DIR] [--language es|en] [--scanner-gap-ms 50])

  --browser        serve the kiosk UI over HTTP (open it in Chromium: chromium --kiosk http://127.0.0.1:3300/)
  --config FILE    the kiosk config (JSON: database, kiosk, ui); see README "Kiosk app"
  --demo           a demo venue seeded into a fresh SQLite file (steward PIN ${DEMO_PIN}, supervisor PIN ${DEMO_SUPERVISOR_PIN}); --bench-guests N adds N bench tickets
  --host ADDRESS   listen address; 127.0.0.1 unless you mean to expose the kiosk on the LAN
  --allowed-host NAME[:PORT]
                   one more Host name the kiosk answers (repeatable), e.g. the name a LAN screen opens it by; it
                   always answers its bound address (for 0.0.0.0: each address of this box) and, on loopback, localhost`;

export async function kioskCommand(args: string[]): Promise<void> {
  const { values } = parseOptions(
    args,
    {
      browser: { type: 'boolean' },
      port: { type: 'string' },
      host: { type: 'string' },
      'allowed-host': { type: 'string', multiple: true },
      config: { type: 'string' },
      demo: { type: 'boolean' },
      data: { type: 'string' },
      language: { type: 'string' },
      'bench-guests': { type: 'string' },
      'result-seconds': { type: 'string' },
      'scanner-gap-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.browser) throw new CliError(`the Electron shell starts from the packaged app; use --browser here\n${USAGE}`, 2);
  const port = Number(values.port ?? 3300);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a port number (0-65535), not "${values.port}"`, 2);
  const host = values.host ?? '127.0.0.1';
  const allowedHosts = (values['allowed-host'] ?? []) as string[];
  for (const h of allowedHosts) {
    const problem = checkAllowedHost(h);
    if (problem) throw new CliError(problem, 2);
  }

  let runtime: KioskRuntime;
  let scratch: string | null = null; // a demo folder this run made, removed when it stops
  if (values.demo) {
    const language = values.language ?? 'es';
    if (language !== 'es' && language !== 'en') throw new CliError(`--language is "es" or "en", not "${language}"`, 2);
    const benchGuests = Number(values['bench-guests'] ?? 0);
    const resultSeconds = Number(values['result-seconds'] ?? 6);
    if (!Number.isInteger(benchGuests) || benchGuests < 0 || benchGuests > 100_000) throw new CliError('--bench-guests must be a whole number up to 100000', 2);
    if (!(resultSeconds >= 1 && resultSeconds <= 120)) throw new CliError('--result-seconds must be between 1 and 120', 2);
    const gap = Number(values['scanner-gap-ms'] ?? 50);
    if (!Number.isInteger(gap) || gap < 10 || gap > 1000) throw new CliError('--scanner-gap-ms must be a whole number from 10 to 1000', 2);
    const dir = values.data ?? (scratch = mkdtempSync(join(tmpdir(), 'seatpilot-kiosk-demo-')));
    const config: KioskAppConfig = {
      database: join(dir, 'kiosk.sqlite'),
      kiosk: { venue_id: 'venue_demo', device_id: 'kiosk_demo_1', door_id: DEMO_DOOR },
      ui: { venue_name: 'Finca La Alameda', language, staff_pin: DEMO_PIN, supervisor_pin: DEMO_SUPERVISOR_PIN, result_seconds: resultSeconds, scanner_max_gap_ms: gap },
    };
    runtime = await openRuntimeFromConfig(config, dir);
    // Seeded through the check-in core, exactly as a page from the venue hub would arrive.
    if (runtime.checkinService.syncState().version === 0) runtime.checkinService.applySyncPage(demoSyncPage(Date.now(), benchGuests));
  } else if (values.config) {
    try {
      runtime = await openKioskRuntime(values.config);
    } catch (e) {
      throw new CliError((e as Error).message, 1);
    }
  } else {
    throw new CliError(`--config FILE or --demo is required\n${USAGE}`, 2);
  }

  const server = await startBrowserMode({ runtime, host, port, allowedHosts });
  console.log(`seatpilot kiosk: browser mode on ${server.url}`);
  console.log(`seatpilot kiosk: answers Host ${server.allowedHosts.join(', ')} (more with --allowed-host)`);
  const stop = async () => {
    await server.close();
    await runtime.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
