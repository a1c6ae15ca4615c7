// The Host header values browser mode answers: the bound address with its port (for 0.0.0.0 or ::, every address of
// this box, read again as interfaces come and go) plus the operator's --allowed-host names. Never empty, never "any":
// a page elsewhere on the web that rebinds its own name to the kiosk's address sends that name and is refused.
import { networkInterfaces } from 'node:os';

type Interfaces = () => ReturnType<typeof networkInterfaces>;

/** `name`, `name:port`, `1.2.3.4[:port]` or `[v6][:port]`: what a browser puts in Host. */
const HOST_RE = /^(?:[a-z0-9](?:[a-z0-9-]{0,62}\.?)*|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/;

/** Checks an `--allowed-host` value; the message names what is wrong (the CLI shows it). */
export function checkAllowedHost(value: string): string | null {
  const v = value.trim().toLowerCase();
  if (!HOST_RE.test(v) || v.length > 255) return `--allowed-host takes a host name or address with an optional :port (e.g. kiosk-1.venue.lan or 192.168.1.20:3300), not "${value}"`;
  return null;
}

/** A checked --allowed-host value with the kiosk's port when it names none. */
const withPort = (host: string, port: number) => (/(?:^[^[].*|\]):\d+$/.test(host) ? host : `${host}:${port}`);
const literal = (address: string) => (address.includes(':') ? `[${address.split('%')[0]}]` : address);
const isWildcard = (host: string) => host === '0.0.0.0' || host === '::' || host === '[::]';
const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);

export class HostAllowlist {
  private readonly fixed = new Set<string>();
  private wildcardPort: number | null = null;
  private cached: { at: number; hosts: Set<string> } | null = null;

  constructor(private readonly interfaces: Interfaces = networkInterfaces) {}

  /** For tests and tools: exactly these Host values. */
  static of(hosts: string[]): HostAllowlist {
    const list = new HostAllowlist(() => ({}));
    for (const h of hosts) list.fixed.add(h.toLowerCase());
    return list;
  }

  /** Called once the server listens (the real port is known only then). */
  bind(host: string, port: number, extra: string[] = []): void {
    const add = (h: string) => {
      this.fixed.add(h);
      // Browsers leave the port out of Host when it is the scheme's default.
      if (port === 80) this.fixed.add(h.replace(/:80$/, ''));
    };
    if (isWildcard(host)) {
      this.wildcardPort = port;
      for (const h of ['127.0.0.1', 'localhost', '[::1]']) add(`${h}:${port}`);
    } else {
      add(`${literal(host)}:${port}`);
      // The kiosk's own Chromium may open any of the loopback names.
      if (isLoopback(host)) for (const h of ['127.0.0.1', 'localhost', '[::1]']) add(`${h}:${port}`);
    }
    for (const e of extra) add(withPort(e.trim().toLowerCase(), port));
  }

  allows(hostHeader: string | undefined): boolean {
    if (!hostHeader) return false;
    const host = hostHeader.toLowerCase();
    if (this.fixed.has(host)) return true;
    return this.wildcardPort !== null && this.interfaceHosts().has(host);
  }

  /** Every Host value answered right now (for the start line). */
  list(): string[] {
    return [...new Set([...this.fixed, ...(this.wildcardPort !== null ? this.interfaceHosts() : [])])];
  }

  /** The box's addresses with the port, read at most every 5 s: a DHCP lease after start is answered within seconds. */
  private interfaceHosts(): Set<string> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < 5_000) return this.cached.hosts;
    const hosts = new Set<string>();
    for (const addrs of Object.values(this.interfaces())) {
      for (const a of addrs ?? []) {
        hosts.add(`${literal(a.address)}:${this.wildcardPort}`);
        if (this.wildcardPort === 80) hosts.add(literal(a.address));
      }
    }
    this.cached = { at: now, hosts };
    return hosts;
  }
}
