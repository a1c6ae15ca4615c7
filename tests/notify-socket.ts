// Test helper: a NOTIFY_SOCKET that stands in for systemd (a python3 listener on a real unix datagram socket; Node has
// none), collecting every line a service sends through systemd-notify.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait';

const LISTENER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("listening", flush=True)
while True:
    data = s.recv(4096)
    for line in data.decode().split("\\n"):
        if line: print(line, flush=True)
`;

export interface NotifySocket {
  path: string;
  lines: string[];
  child: ChildProcess;
}

export async function notifySocket(): Promise<NotifySocket> {
  const path = join(mkdtempSync(join(tmpdir(), 'sp-notify-')), 'notify.sock');
  const child = spawn('python3', ['-c', LISTENER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
  });
  await waitFor('the notify listener', () => lines.includes('listening'));
  return { path, lines, child };
}
