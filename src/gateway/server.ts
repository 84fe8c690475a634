/**
 * Starts the gateway: store, policy snapshot (recompiled on every store change and swapped in one
 * assignment), the proxy listener and the admin listener (console, /api, /metrics, /healthz).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, type Store } from '../store/index.js';
import { handleApi, type ApiContext } from './admin/api.js';
import { ensureBootstrapToken } from './admin/auth.js';
import { sendJson } from './admin/http.js';
import { serveConsole } from './admin/static.js';
import type { GatewayConfig } from './config.js';
import { startDemoApi, type DemoApi } from './demo.js';
import { engine } from './engine.js';
import { createGate } from './gate.js';
import { Metrics } from './metrics.js';
import { loadPolicyFile } from './policy-file.js';
import { createForwarder } from './proxy.js';
import { compileSnapshot, type Snapshot } from './snapshot.js';

export interface Gateway {
  proxyUrl: string;
  adminUrl: string;
  upstream: string;
  store: Store;
  /** Clear-text admin token when this start generated it (first start only). */
  generatedToken: string | null;
  snapshot(): Snapshot;
  close(): Promise<void>;
}

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolvePort((server.address() as AddressInfo).port);
    });
  });
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((res) => {
    if (!server.listening) return res();
    server.close(() => res());
    server.closeIdleConnections();
    // In-flight requests get a few seconds to finish on graceful shutdown.
    setTimeout(() => server.closeAllConnections(), 5000).unref();
  });
}

export async function startGateway(config: GatewayConfig, log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<Gateway> {
  const fromFile = config.policy ? await loadPolicyFile(config.policy, engine) : null;
  const store: Store = fromFile ? fromFile.store : openStore(config.store);
  const overrides = fromFile?.allowlistOptions ?? {};
  const metrics = new Metrics();
  const cleanups: (() => Promise<void>)[] = [() => store.close()];
  try {
    const bootstrap = await ensureBootstrapToken(store, env.CORSGATE_ADMIN_TOKEN || undefined, { allowWeak: config.allowWeakAdminToken });
    for (const note of bootstrap.notes) log(note);

    let current = await compileSnapshot(engine, await store.loadState(), overrides);
    const publish = (s: Snapshot) => {
      current = s;
      metrics.snapshotVersion = s.version;
      metrics.allowlistSize = s.allowlistSize;
      metrics.cspBytes = s.cspBytes;
      for (const w of s.warnings) log(`warning: ${w}`);
    };
    publish(current);
    // Recompile on change; changes arriving during a compile trigger one more compile afterwards.
    let compiling = false;
    let again = false;
    const recompile = async () => {
      if (compiling) {
        again = true;
        return;
      }
      compiling = true;
      try {
        do {
          again = false;
          const state = await store.loadState();
          if (state.version !== current.version) publish(await compileSnapshot(engine, state, overrides));
        } while (again);
      } catch (err) {
        log(`error: the policy could not be recompiled; the previous one stays in force: ${(err as Error).message}`);
      } finally {
        compiling = false;
      }
    };
    const unsubscribe = store.onChange(() => void recompile());
    cleanups.push(async () => unsubscribe());

    let proxyUrl = '';
    let demo: DemoApi | null = null;
    let upstream: URL;
    if (config.upstream) upstream = new URL(config.upstream);
    else {
      demo = await startDemoApi(() => proxyUrl);
      const d = demo;
      cleanups.push(() => d.close());
      upstream = demo.url;
    }
    const forwarder = createForwarder({ upstream, timeoutMs: config.timeoutMs, connectTimeoutMs: config.connectTimeoutMs }, metrics);
    cleanups.push(() => forwarder.close());
    const gate = createGate(() => current, forwarder, metrics);
    const proxyServer = createServer({ requestTimeout: 0 }, (req, res) => {
      try {
        gate(req, res);
      } catch (err) {
        log(`error: ${(err as Error).stack ?? err}`);
        if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal-error', message: 'the gateway failed on this request' } });
      }
    });
    const proxyPort = await listen(proxyServer, config.port, config.host);
    cleanups.unshift(() => closeServer(proxyServer));
    proxyUrl = urlOf(config.host, proxyPort);

    const consoleDir = config.consoleDir ? resolve(config.consoleDir) : join(packageRoot(), 'console', 'dist');
    const info = { proxyUrl, adminUrl: '', upstream: demo ? `${upstream.origin} (built-in demo API)` : upstream.href, policyFile: config.policy };
    const sync = async () => {
      const target = await store.version();
      const until = Date.now() + 2000;
      while (current.version < target && Date.now() < until) await new Promise((r) => setTimeout(r, 2));
    };
    const ctx: ApiContext = { store, engine, snapshot: () => current, info, sync, metrics, log };
    const adminServer = createServer((req: IncomingMessage, res: ServerResponse) => {
      const path = (req.url ?? '/').split('?')[0]!;
      res.on('finish', () => metrics.admin(req.method ?? '', res.statusCode));
      if (path === '/healthz') return sendJson(res, 200, { status: 'ok', version: current.version });
      if (path === '/metrics') {
        const text = metrics.render();
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
        return res.end(text);
      }
      if (path === '/api' || path.startsWith('/api/')) return void handleApi(ctx, req, res);
      void serveConsole(existsSync(consoleDir) ? consoleDir : null, req, res).catch(() => {
        if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal-error', message: 'console file could not be read' } });
      });
    });
    const adminPort = await listen(adminServer, config.adminPort, config.adminHost);
    cleanups.unshift(() => closeServer(adminServer));
    info.adminUrl = urlOf(config.adminHost, adminPort);

    let closed: Promise<void> | null = null;
    return {
      proxyUrl,
      adminUrl: info.adminUrl,
      upstream: info.upstream,
      store,
      generatedToken: bootstrap.generated,
      snapshot: () => current,
      close: () => {
        closed ??= (async () => {
          for (const c of cleanups) await c().catch(() => undefined);
        })();
        return closed;
      },
    };
  } catch (err) {
    for (const c of cleanups) await c().catch(() => undefined);
    throw err;
  }
}
