// Test and bench helper: the real `seatpilot kiosk --browser --demo` in a child process on 127.0.0.1, and Debian's Chromium
// through playwright-core. Both end when asked (by PID), and on test failure too.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export interface KioskProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, '..');

export async function startKiosk(args: string[]): Promise<KioskProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'seatpilot-kiosk-test-'));
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'seatpilot.mjs'), 'kiosk', '--browser', '--port', '0', '--data', dataDir, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`kiosk did not start in 60 s:\n${output}`)), 60_000);
    const onData = (b: Buffer) => {
      output += b.toString();
      const m = /browser mode on (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`kiosk exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `extraArgs`: more Chromium switches, e.g. --host-resolver-rules to point a made-up host name at 127.0.0.1. */
export async function launchChromium(viewport = { width: 1280, height: 800 }, extraArgs: string[] = []): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'seatpilot-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  // Keyboard input goes to the focused tab: make ours the focused one before a test types a scan into it.
  await page.bringToFront();
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Types a code the way a keyboard-emulating scanner does: a few ms between keys, then Enter. */
/**
 * A keyboard-wedge scanner's burst: the code's keys, then Enter, as keydown/keyup events dispatched in the page in one go.
 * Typing through the DevTools protocol sends one message per key, and with other suites running beside this one a key
 * could stall past the burst detector's gap (seen in CI: the kiosk then saw only the last characters and stayed idle).
 * Trusted typing is still exercised by the slow-typing test, and real scanner reports by tests/kiosk-ui-scanner.test.ts.
 */
export async function scanLikeAScanner(page: Page, code: string): Promise<void> {
  await page.evaluate((keys) => {
    for (const key of keys) {
      document.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
      document.dispatchEvent(new KeyboardEvent('keyup', { key, bubbles: true, cancelable: true }));
    }
  }, [...code, 'Enter']);
}

/**
 * Where the UI tests save their screenshots: docs/screens/ (shown in the README) with UPDATE_SCREENSHOTS=1, else a
 * temporary folder, so an ordinary test run leaves the tracked pictures alone.
 */
export function screensDir(): string {
  const dir = process.env.UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screens') : join(tmpdir(), 'seatpilot-screens');
  mkdirSync(dir, { recursive: true });
  return dir;
}
