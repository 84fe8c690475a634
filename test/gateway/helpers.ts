/**
 * Black-box helpers for the gateway tests: spawn the compiled CLI (`dist/src/cli/main.js serve`)
 * with a temp store and port 0, read the URLs it prints, and run a counting upstream on loopback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, repoRoot } from '../support/cli.js';

export { CLI, repoRoot } from '../support/cli.js';
/** A bootstrap admin token as the docs tell operators to make one (`openssl rand -hex 24`). */
export const TOKEN = randomBytes(24).toString('hex');

/** Another strong token, for tests that set CORSGATE_ADMIN_TOKEN themselves. */
export function strongToken(): string {
  return randomBytes(24).toString('hex');
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'corsgate-gw-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RunningGateway {
  proxy: string;
  admin: string;
  stdout: string;
  /** What the gateway logged so far. */
  stderr: string;
  child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `cli`: another copy of the command (e.g. the layout a container image holds); the repository's by default. */
export async function startCli(
  args: string[],
  env: Record<string, string> = {},
  cwd?: string,
  cli = CLI,
): Promise<RunningGateway> {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--admin-port', '0', ...args], {
    cwd: cwd ?? repoRoot(),
    env: { ...process.env, CORSGATE_ADMIN_TOKEN: TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      stdout += d;
      if (/admin:\s+http/.test(stdout) && /store:/.test(stdout)) {
        child.stdout!.off('data', onData);
        child.stdout!.on('data', (x) => (stdout += x));
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    void exited.then((code) =>
      reject(new Error(`corsgate serve exited (${code}) before starting:\n${stdout}\n${stderr}`)),
    );
  });
  const proxy = /proxy:\s+(https?:\/\/\S+)/.exec(stdout)![1]!;
  const admin = /admin:\s+(https?:\/\/\S+)/.exec(stdout)![1]!;
  return {
    proxy,
    admin,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    child,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** A real upstream on loopback that counts every request it receives. */
export interface Upstream {
  url: string;
  hits: number;
  last: { method: string; url: string; headers: IncomingMessage['headers']; body: string } | null;
  close(): Promise<void>;
}

export async function startUpstream(
  extra?: (req: IncomingMessage, res: ServerResponse) => boolean,
): Promise<Upstream> {
  const state: Upstream = { url: '', hits: 0, last: null, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    state.hits++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.last = {
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      if (extra && extra(req, res)) return;
      if (req.url === '/page') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end('<!doctype html><title>page</title>');
      }
      res.writeHead(200, {
        'content-type': 'application/json',
        // The gateway must strip the upstream's own CORS headers and hop-by-hop headers.
        'access-control-allow-origin': '*',
        'x-upstream': 'yes',
        connection: 'x-up-hop',
        'x-up-hop': 'must-not-pass',
      });
      res.end(JSON.stringify({ ok: true, method: req.method, url: req.url, body: state.last.body }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}

/**
 * A page server for browser tests: one small HTML page titled `name`, on 127.0.0.1; `origin`
 * addresses it by `host` (Chromium treats localhost and 127.0.0.1 as different origins).
 */
export async function pageServer(host: string, name = 'client'): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>${name}</title><p>${name} page</p>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://${host}:${(server.address() as AddressInfo).port}` };
}

export function api(admin: string, token: string = TOKEN) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(admin + path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: res.status, json, text, headers: res.headers };
  };
}

export async function eventually<T>(
  fn: () => Promise<T | null | undefined | false>,
  limitMs = 5000,
): Promise<T> {
  const until = Date.now() + limitMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 50));
  }
}
