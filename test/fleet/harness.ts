/**
 * A fleet on one machine: `corsgate serve` processes on loopback, each reaching the real PostgreSQL
 * through a TCP relay of its own, so that a test takes PostgreSQL away from one node (or from all)
 * by cutting its relay while the server itself keeps running. Shared by test/fleet and the fleet
 * benchmark.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { api, startCli, TOKEN, type RunningGateway } from '../gateway/helpers.js';

/** A TCP relay to PostgreSQL. `cut()` drops every connection and refuses new ones until `heal()`. */
export class Relay {
  private server: Server;
  private sockets = new Set<Socket>();
  private open = true;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => {
      if (!this.open) return void client.destroy();
      const upstream = connect(target.port, target.host);
      this.sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  async start(port = 0): Promise<number> {
    await new Promise<void>((r) => this.server.listen(port, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  cut(): void {
    this.open = false;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  heal(): void {
    this.open = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

export interface FleetNodeProc {
  id: string;
  relay: Relay;
  gw: RunningGateway;
  admin: ReturnType<typeof api>;
  cache: string;
}

/** Starts node `id` through `relay` on database `db` (postgres://user@host:port/name). */
export async function startNode(
  id: string,
  relay: Relay,
  db: { name: string },
  dir: string,
  extra: string[] = [],
): Promise<FleetNodeProc> {
  const cache = join(dir, `${id}-cache.db`);
  const gw = await startCli(
    ['--node-id', id, '--cache', cache, '--access-log', 'off', '--log-level', 'warn', ...extra],
    { CORSGATE_STORE: `postgres://postgres@127.0.0.1:${relay.port}/${db.name}` },
    dir,
  );
  return { id, relay, gw, admin: api(gw.admin, TOKEN), cache };
}

/** Whether the node's proxy allows `origin` (a preflight answered with it in Access-Control-Allow-Origin). */
export async function allows(node: FleetNodeProc, origin: string): Promise<boolean> {
  const res = await fetch(`${node.gw.proxy}/api/hello`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'GET' },
  });
  await res.arrayBuffer();
  return res.headers.get('access-control-allow-origin') === origin;
}

export async function readyz(node: FleetNodeProc): Promise<{
  status: number;
  body: { status: string; version: number; store: string; staleSeconds: number };
}> {
  const res = await fetch(`${node.gw.admin}/readyz`);
  return { status: res.status, body: (await res.json()) as never };
}

/** Waits (bounded) until `cond` holds; the error says what was awaited. */
export async function until(
  what: string,
  cond: () => Promise<boolean>,
  limitMs = 8000,
  stepMs = 20,
): Promise<void> {
  const end = Date.now() + limitMs;
  for (;;) {
    if (await cond().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`not reached within ${limitMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
