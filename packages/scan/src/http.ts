/**
 * The scanner's HTTP client: undici with per-host concurrency and rate limits, timeouts and
 * retries, curl-style `--resolve`, `--insecure` for self-signed TLS, and an optional proxy.
 */
import { isIP } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Agent, buildConnector, ProxyAgent, request, upgrade, type Dispatcher } from 'undici';
import { DEFAULT_PORTS } from 'corsgate/internal/http/url.js';
import { CorsgateError } from 'corsgate/internal/errors.js';

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
  /**
   * Decides where each connection may go (the gateway's scan API sets it): resolves the host (or
   * takes the resolve entry's address), answers the address to connect to, or rejects to refuse.
   * Every connection of the scan passes it, redirects and the http:// chain included.
   */
  guard?: (
    target: { hostname: string; port: number; protocol: string },
    pinned: string | undefined,
  ) => Promise<string>;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  setCookies: string[];
  location: string | null;
  body?: string;
}

/**
 * The codes of UsageError: `scan-resolve-invalid` for a `--resolve` entry, `scan-option-invalid` for
 * any other option of `corsgate scan`.
 */
export const USAGE_ERROR_CODES = ['scan-resolve-invalid', 'scan-option-invalid'] as const;
export type UsageErrorCode = (typeof USAGE_ERROR_CODES)[number];

/** A scan option that cannot be used as given. */
export class UsageError extends CorsgateError<UsageErrorCode> {}

/**
 * `--resolve` entries, curl's syntax: `[+]host:port:address[,address...]`, `host` may be `*`,
 * IPv6 addresses may be bracketed; the first address is used. An entry applies to its port, and
 * (unlike curl, so that a scan never leaks to public DNS for a host the user pinned) to the host's
 * other ports when no entry names them.
 */
export class Resolver {
  private readonly exact = new Map<string, string>();
  private readonly anyPort = new Map<string, string>();

  constructor(entries: string[]) {
    for (const raw of entries) {
      const e = raw.trim().replace(/^\+/, '');
      const m = /^([^:\s]+):(\d{1,5}):(.+)$/.exec(e);
      if (!m || Number(m[2]) > 65535)
        throw new UsageError(
          'scan-resolve-invalid',
          `--resolve '${raw}' must be host:port:address (as curl's --resolve)`,
        );
      const address = m[3]!
        .split(',')[0]!
        .trim()
        .replace(/^\[|\]$/g, '');
      if (isIP(address) === 0)
        throw new UsageError('scan-resolve-invalid', `--resolve '${raw}': '${address}' is not an IP address`);
      const host = m[1]!.toLowerCase().replace(/^\[|\]$/g, '');
      this.exact.set(`${host}:${Number(m[2])}`, address);
      if (host !== '*' && !this.anyPort.has(host)) this.anyPort.set(host, address);
    }
  }

  /** The pinned address for hostname:port, if any. */
  lookup(hostname: string, port: number): string | undefined {
    const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
    return this.exact.get(`${h}:${port}`) ?? this.exact.get(`*:${port}`) ?? this.anyPort.get(h);
  }
}

class HostLimiter {
  private active = 0;
  private last = 0;
  private readonly queue: Array<() => void> = [];
  constructor(
    private readonly concurrency: number,
    private readonly interval: number,
  ) {}

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
    const resolver = new Resolver(options.resolve);
    const base = buildConnector({ rejectUnauthorized: !options.insecure, timeout: options.timeout });
    // The TLS server name and certificate check stay on the URL's host; only the socket goes to the pinned address.
    const connect: buildConnector.connector = (opts, callback) => {
      const port = Number(opts.port) || DEFAULT_PORTS[opts.protocol === 'https:' ? 'https' : 'http']!;
      const address = resolver.lookup(opts.hostname, port);
      if (!options.guard)
        return base(address === undefined ? opts : { ...opts, hostname: address }, callback);
      // The socket goes to the very address the guard checked: a changed DNS answer cannot redirect it.
      options.guard({ hostname: opts.hostname, port, protocol: opts.protocol }, address).then(
        (checked) => base({ ...opts, hostname: checked }, callback),
        (err: Error) => callback(err, null),
      );
    };
    this.dispatcher = options.proxy
      ? new ProxyAgent({ uri: options.proxy, requestTls: { rejectUnauthorized: !options.insecure } })
      : new Agent({ connect, headersTimeout: options.timeout, bodyTimeout: options.timeout });
  }

  private limiter(host: string): HostLimiter {
    let l = this.limiters.get(host);
    if (!l) {
      l = new HostLimiter(
        Math.max(1, this.options.concurrency),
        this.options.rate > 0 ? 1000 / this.options.rate : 0,
      );
      this.limiters.set(host, l);
    }
    return l;
  }

  /** One request, no redirects followed; retried on network errors. */
  async send(
    url: string,
    method: string,
    headers: Record<string, string>,
    readBody = false,
  ): Promise<HttpAnswer> {
    const host = new URL(url).host;
    const all: Record<string, string> = {
      'user-agent': 'corsgate-scan',
      accept: '*/*',
      ...this.options.headers,
      ...(this.options.cookie ? { cookie: this.options.cookie } : {}),
      ...headers,
    };
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.options.retries; attempt++) {
      try {
        return await this.limiter(host).run(async () => {
          const res = await request(url, {
            method: method as Dispatcher.HttpMethod,
            headers: all,
            dispatcher: this.dispatcher,
            headersTimeout: this.options.timeout,
            bodyTimeout: this.options.timeout,
          });
          let body: string | undefined;
          if (readBody) {
            // At most 1 MiB of the page (for SRI and <meta http-equiv>); a streaming endpoint must not hold the scan.
            const chunks: Buffer[] = [];
            let size = 0;
            for await (const chunk of res.body) {
              chunks.push(chunk as Buffer);
              size += (chunk as Buffer).length;
              if (size >= 1 << 20) {
                res.body.destroy();
                break;
              }
            }
            body = Buffer.concat(chunks)
              .subarray(0, 1 << 20)
              .toString('utf8');
          } else await res.body.dump();
          const { headers: out, setCookies } = splitHeaders(res.headers);
          return {
            status: res.statusCode,
            headers: out,
            setCookies,
            location: out.location ?? null,
            ...(body !== undefined ? { body } : {}),
          };
        });
      } catch (err) {
        lastError = err;
        if (attempt < this.options.retries) await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
    throw lastError;
  }

  /**
   * A WebSocket opening handshake (RFC 6455 §4.1) with these headers: the response headers when the
   * server switched protocols (101), null when it answered anything else. The socket is closed at once.
   */
  async websocket(
    url: string,
    headers: Record<string, string>,
  ): Promise<{ headers: Record<string, string>; setCookies: string[] } | null> {
    const host = new URL(url).host;
    const all: Record<string, string> = {
      'user-agent': 'corsgate-scan',
      ...this.options.headers,
      ...(this.options.cookie ? { cookie: this.options.cookie } : {}),
      'sec-websocket-key': randomBytes(16).toString('base64'),
      'sec-websocket-version': '13',
      ...headers,
    };
    return this.limiter(host).run(async () => {
      try {
        const res = await upgrade(url, {
          method: 'GET',
          protocol: 'websocket',
          headers: all,
          dispatcher: this.dispatcher,
          headersTimeout: this.options.timeout,
        } as Parameters<typeof upgrade>[1]);
        res.socket.destroy();
        return splitHeaders(res.headers);
      } catch {
        return null; // not switched (any other status), or no answer: no open socket to report
      }
    });
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

/** Response headers as one value each (repeated ones joined by ", "), Set-Cookie kept apart as a list. */
function splitHeaders(raw: Record<string, string | string[] | undefined>): {
  headers: Record<string, string>;
  setCookies: string[];
} {
  const headers: Record<string, string> = {};
  let setCookies: string[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (name === 'set-cookie') setCookies = Array.isArray(value) ? value : [value];
    else headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { headers, setCookies };
}
