/**
 * The loopback servers of the Chromium differential test. One raw HTTP/1.1 handler listens on three
 * origins: the page's (http://127.0.0.1:<p>, which also serves the test page), the API's
 * (http://localhost:<q>) and a second API origin (http://127.0.0.1:<r>) for cross-origin redirects.
 * Raw sockets because node:http refuses methods it does not know (such as a lower-case `patch`,
 * which browsers send as is) and because the test must see, and answer exactly, every request.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { headerValueBytes } from 'corsgate/internal/http/headers.js';
import type { Answer, DiffCase, HopTarget } from './cases.js';

/** What one hop of one case received: the preflight and the actual request, with their CORS headers. */
export interface HopSeen {
  preflight?: { origin: string | undefined; acrm: string | undefined; acrh: string | undefined };
  actual?: { method: string; origin: string | undefined };
}

export interface DiffServers {
  pageOrigin: string;
  bases: Record<HopTarget, string>;
  /** seen[case][hop] */
  seen: Map<number, HopSeen[]>;
  caseUrl(index: number, hop: number, at: HopTarget): string;
  /** The placeholders of a case's header values, filled in. */
  fill(index: number, hop: number, headers: [string, string][]): [string, string][];
  close(): void;
}

const PAGE_HTML = '<!doctype html><title>differential</title>';

export async function startDiffServers(cases: DiffCase[]): Promise<DiffServers> {
  const seen = new Map<number, HopSeen[]>();
  const bases = { page: '', same: '', other: '' } as Record<HopTarget, string>;
  const caseUrl = (index: number, hop: number, at: HopTarget) => `${bases[at]}/case/${index}/${hop}`;
  const fill = (index: number, hop: number, headers: [string, string][]): [string, string][] => {
    const c = cases[index]!;
    const next = c.redirects?.[hop];
    return headers.map(([n, v]) => [
      n,
      v
        .replaceAll('{origin}', bases.page)
        .replaceAll('{next}', next ? caseUrl(index, hop + 1, next.at) : '')
        .replaceAll(
          '{nextUserinfo}',
          next ? caseUrl(index, hop + 1, next.at).replace('//', '//user:pass@') : '',
        )
        .replaceAll('{case}', `/case/${index}/`),
    ]);
  };

  const handle = (socket: net.Socket) => {
    let buffer = Buffer.alloc(0);
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      const lines = buffer.subarray(0, end).toString('latin1').split('\r\n');
      const [method = '', target = ''] = lines[0]!.split(' ');
      const headers = new Map(
        lines
          .slice(1)
          .map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      const length = Number(headers.get('content-length') ?? 0);
      if (buffer.length < end + 4 + length) return;
      socket.removeAllListeners('data');
      const write = (a: Answer, body: string) => {
        const head = [
          `HTTP/1.1 ${a.status} ${a.statusText ?? http.STATUS_CODES[a.status] ?? 'Unknown'}`,
          ...a.headers.map(([n, v]) => `${n}: ${v}`),
          `Content-Length: ${Buffer.byteLength(body)}`,
          'Connection: close',
        ];
        // Header bytes as the simulator reads them: code units up to U+00FF as themselves, others as UTF-8.
        socket.write(Buffer.from(headerValueBytes(`${head.join('\r\n')}\r\n\r\n`)));
        socket.end(method === 'HEAD' ? '' : body);
      };
      const m = /^\/case\/(\d+)\/(\d+)/.exec(target);
      if (!m) {
        if (target === '/' || target.startsWith('/?')) {
          const csp = new URL(target, 'http://x').searchParams.get('csp');
          write(
            {
              status: 200,
              headers: [
                ['Content-Type', 'text/html'],
                ...(csp ? [['Content-Security-Policy', csp] as [string, string]] : []),
              ],
            },
            PAGE_HTML,
          );
        } else write({ status: 404, headers: [] }, '');
        return;
      }
      const index = Number(m[1]);
      const hop = Number(m[2]);
      const c = cases[index];
      if (!c) return write({ status: 404, headers: [] }, '');
      const hops = seen.get(index) ?? [];
      seen.set(index, hops);
      const s = (hops[hop] ??= {});
      const isPreflight = method === 'OPTIONS' && headers.has('access-control-request-method');
      if (isPreflight)
        s.preflight = {
          origin: headers.get('origin'),
          acrm: headers.get('access-control-request-method'),
          acrh: headers.get('access-control-request-headers'),
        };
      else s.actual = { method, origin: headers.get('origin') };
      const step = hop === 0 ? c : c.redirects![hop - 1]!;
      const answer = isPreflight ? step.preflightResponse : step.response;
      if (answer === undefined || answer === 'drop') {
        socket.destroy();
        return;
      }
      write(
        { ...answer, headers: fill(index, hop, answer.headers) },
        isPreflight ? '' : (answer.body ?? 'body'),
      );
    });
  };

  const servers: net.Server[] = [];
  const listen = async (host: string) => {
    const server = net.createServer(handle);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return `http://${host}:${(server.address() as AddressInfo).port}`;
  };
  bases.page = await listen('127.0.0.1');
  bases.same = await listen('localhost');
  bases.other = await listen('127.0.0.1');
  return {
    pageOrigin: bases.page,
    bases,
    seen,
    caseUrl,
    fill,
    close: () => {
      for (const s of servers) s.close();
    },
  };
}
