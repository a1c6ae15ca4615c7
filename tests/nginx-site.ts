// Helper for tests and benches: the shipped TLS front (build/nginx/seatpilot-cloud.conf) run by Debian's nginx on
// 127.0.0.1, its ports and certificate paths rewritten, with a self-signed certificate made here, in front of two
// replicas. The file is used as it is otherwise, so what runs is what ships.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, ROOT } from './procs';

export interface NginxFront {
  child: ChildProcess;
  tlsPort: number;
  httpPort: number;
  /** The self-signed certificate (PEM), the only one a client should trust. */
  ca: string;
  errorLog: string;
  stop(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1 in `dir` (cloud.crt, cloud.key). */
export function selfSignedCert(openssl: string, dir: string): { cert: string; key: string; pem: string } {
  const cert = join(dir, 'cloud.crt');
  const key = join(dir, 'cloud.key');
  const made = spawnSync(openssl, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-keyout', key, '-out', cert, '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl could not make a certificate: ${made.stderr}`);
  return { cert, key, pem: readFileSync(cert, 'utf8') };
}

/** The shipped site file with this box's ports and paths; throws when the file no longer has a line it rewrites. */
export function renderSite(upstreams: [string, string], ports: { tls: number; http: number }, cert: { cert: string; key: string }): string {
  let site = readFileSync(join(ROOT, 'build/nginx/seatpilot-cloud.conf'), 'utf8');
  const swap = (from: string | RegExp, to: string) => {
    const next = site.replace(from, to);
    if (next === site) throw new Error(`build/nginx/seatpilot-cloud.conf no longer has ${String(from)}`);
    site = next;
  };
  const hostPort = (u: string) => u.replace(/^https?:\/\//, '');
  swap(/server 127\.0\.0\.1:8081 /g, `server ${hostPort(upstreams[0])} `);
  swap(/server 127\.0\.0\.1:8082 /g, `server ${hostPort(upstreams[1])} `);
  swap(/^\s*listen \[::\]:80;\n/m, '');
  swap(/^\s*listen \[::\]:443 ssl http2;\n/m, '');
  swap('listen 80;', `listen 127.0.0.1:${ports.http};`);
  swap('listen 443 ssl http2;', `listen 127.0.0.1:${ports.tls} ssl http2;`);
  swap('/etc/ssl/seatpilot/cloud.crt', cert.cert);
  swap('/etc/ssl/seatpilot/cloud.key', cert.key);
  return site;
}

/**
 * Starts nginx (foreground, by PID) with the rendered site in `dir`. `workerConnections` bounds what one worker holds
 * (clients and upstreams together).
 */
export async function startNginxFront(o: { nginx: string; openssl: string; dir: string; upstreams: [string, string]; workers?: number; workerConnections?: number }): Promise<NginxFront> {
  const { dir } = o;
  const cert = selfSignedCert(o.openssl, dir);
  const tlsPort = await freePort();
  const httpPort = await freePort();
  writeFileSync(join(dir, 'site.conf'), renderSite(o.upstreams, { tls: tlsPort, http: httpPort }, cert));
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d), { recursive: true });
  const errorLog = join(dir, 'error.log');
  writeFileSync(join(dir, 'nginx.conf'), [
    ...(process.getuid?.() === 0 ? ['user root;'] : []), // workers read the caller's private folder
    'daemon off;', `worker_processes ${o.workers ?? 1};`, `pid ${dir}/nginx.pid;`, `error_log ${errorLog} warn;`,
    `events { worker_connections ${o.workerConnections ?? 256}; }`,
    `http { access_log ${dir}/access.log; default_type application/octet-stream;`,
    `  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;`,
    `  include ${dir}/site.conf; }`, '',
  ].join('\n'));
  const args = ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', errorLog];
  const check = spawnSync(o.nginx, ['-t', ...args], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx -t refused the rendered site: ${check.stderr}`);
  const child = spawn(o.nginx, args, { stdio: 'ignore' });
  return {
    child, tlsPort, httpPort, ca: cert.pem, errorLog,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM'); // the master, by its PID: it stops its own workers
      await gone;
    },
  };
}
