// Test helper: child processes for cross-process tests — free ports, start/wait/kill by PID, output capture.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Proc {
  child: ChildProcess;
  out(): string;
  /** Resolves when the output (since start) matches. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code once the process ends by itself. */
  exited(): Promise<number | null>;
}

export function startProc(args: string[], env: Record<string, string | undefined> = {}): Proc {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code, sig) => r(code ?? (sig ? -1 : null))));
  return {
    child,
    out: () => out,
    async waitFor(re, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const m = out.match(re);
        if (m) return m;
        if (child.exitCode !== null) throw new Error(`process ${args.join(' ')} exited (${child.exitCode}) before ${re}: ${out.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`timed out waiting for ${re} from ${args.join(' ')}: ${out.slice(-2000)}`);
    },
    exited: () => exited,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export const seatpilot = (args: string[], env: Record<string, string | undefined> = {}) => startProc([join(ROOT, 'bin', 'seatpilot.mjs'), ...args], env);
export const runTs = (file: string, args: string[], env: Record<string, string | undefined> = {}) => startProc([join(ROOT, 'bin', 'run-ts.mjs'), file, ...args], env);
