/**
 * The scanner's HTTP client: undici with per-host concurrency and rate limits, timeouts and
 * retries, curl-style `--resolve`, `--insecure` for self-signed TLS, and an optional proxy.
 */
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';
import type { LookupFunction } from 'node:net';

export interface HttpOptions {
  timeout: number;
  retries: number;
  insecure: boolean;
  /** `host:port:address` entries, as curl's --resolve. */
  resolve: string[];
  headers: Record<string, string>;
  cookie?: string;
  proxy?: string;
  /** Requests in flight per host. */
  concurrency: number;
  /** Requests per second per host (0: unlimited). */
  rate: number;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  setCookies: string[];
  location: string | null;
  body?: string;
}

export class UsageError extends Error {}

/** Parses `host:port:address` (IPv6 addresses may be bracketed). */
export function parseResolve(entries: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const e of entries) {
    const m = /^([^:]+):(\d+):\[?([^\]]+)\]?$/.exec(e);
    if (!m) throw new UsageError(`--resolve '${e}' must be host:port:address`);
    map.set(`${m[1]!.toLowerCase()}:${m[2]}`, m[3]!);
    map.set(m[1]!.toLowerCase(), m[3]!);
  }
  return map;
}

class HostLimiter {
  private active = 0;
  private last = 0;
  private readonly queue: Array<() => void> = [];
  constructor(private readonly concurrency: number, private readonly interval: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await new Promise<void>((resolve) => {
      this.queue.push(resolve);
      this.next();
    });
    try {
      return await fn();
    } finally {
      this.active--;
      this.next();
    }
  }

  private next(): void {
    if (this.active >= this.concurrency || this.queue.length === 0) return;
    const wait = this.last + this.interval - Date.now();
    if (wait > 0) {
      setTimeout(() => this.next(), wait);
      return;
    }
    this.active++;
    this.last = Date.now();
    this.queue.shift()!();
  }
}

export class Prober {
  private readonly dispatcher: Dispatcher;
  private readonly limiters = new Map<string, HostLimiter>();

  constructor(private readonly options: HttpOptions) {
    const resolve = parseResolve(options.resolve);
    const lookup: LookupFunction = (hostname, opts, callback) => {
      const address = resolve.get(hostname.toLowerCase());
      if (address === undefined) {
        import('node:dns').then((dns) => dns.lookup(hostname, opts, callback as never), (err) => callback(err as never, '', 4));
        return;
      }
      const family = address.includes(':') ? 6 : 4;
      if ((opts as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
      else callback(null, address, family);
    };
    const connect = { rejectUnauthorized: !options.insecure, lookup, timeout: options.timeout };
    this.dispatcher = options.proxy
      ? new ProxyAgent({ uri: options.proxy, requestTls: { rejectUnauthorized: !options.insecure } })
      : new Agent({ connect, headersTimeout: options.timeout, bodyTimeout: options.timeout });
  }

  private limiter(host: string): HostLimiter {
    let l = this.limiters.get(host);
    if (!l) {
      l = new HostLimiter(Math.max(1, this.options.concurrency), this.options.rate > 0 ? 1000 / this.options.rate : 0);
      this.limiters.set(host, l);
    }
    return l;
  }

  /** One request, no redirects followed; retried on network errors. */
  async send(url: string, method: string, headers: Record<string, string>, readBody = false): Promise<HttpAnswer> {
    const host = new URL(url).host;
    const all: Record<string, string> = { 'user-agent': 'corsgate-scan', accept: '*/*', ...this.options.headers, ...(this.options.cookie ? { cookie: this.options.cookie } : {}), ...headers };
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.options.retries; attempt++) {
      try {
        return await this.limiter(host).run(async () => {
          const res = await request(url, { method: method as Dispatcher.HttpMethod, headers: all, dispatcher: this.dispatcher, headersTimeout: this.options.timeout, bodyTimeout: this.options.timeout });
          let body: string | undefined;
          if (readBody) {
            const text = await res.body.text();
            body = text.slice(0, 1 << 20);
          } else await res.body.dump();
          const out: Record<string, string> = {};
          let setCookies: string[] = [];
          for (const [name, value] of Object.entries(res.headers)) {
            if (value === undefined) continue;
            if (name === 'set-cookie') setCookies = Array.isArray(value) ? value : [value];
            else out[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          return { status: res.statusCode, headers: out, setCookies, location: out.location ?? null, ...(body !== undefined ? { body } : {}) };
        });
      } catch (err) {
        lastError = err;
        if (attempt < this.options.retries) await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
    throw lastError;
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
