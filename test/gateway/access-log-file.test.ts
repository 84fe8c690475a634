// The access log written to a regular file (`corsgate serve > access.log`) by two workers at once:
// each worker batches its lines into large writes (log.ts), and every line must still arrive whole,
// once, never cut by the other worker's write. Each request has its own connection, so the kernel
// spreads them over both workers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { CLI, TOKEN, eventually, repoRoot, startUpstream, tempDir } from './helpers.js';

const REQUESTS = 2000;
const CONNECTIONS = 8;

test('--workers 2 with stdout a file: every access-log line is whole JSON, one per request, from both workers', async () => {
  const tmp = tempDir();
  const upstream = await startUpstream();
  const logFile = join(tmp.dir, 'access.log');
  const fd = openSync(logFile, 'w');
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--port', '0', '--admin-port', '0', '--upstream', upstream.url, '--workers', '2'],
    {
      cwd: repoRoot(),
      env: { ...process.env, CORSGATE_ADMIN_TOKEN: TOKEN, CORSGATE_STORE: `sqlite:${tmp.dir}/l.db` },
      stdio: ['ignore', fd, 'pipe'],
    },
  );
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const agent = new Agent({ connections: CONNECTIONS });
  try {
    const proxy = await eventually(
      async () => /proxy:\s+(http:\/\/\S+)/.exec(readFileSync(logFile, 'utf8'))?.[1] ?? null,
      15_000,
    );
    // Long paths make lines of about 700 bytes, so batches of several KB each hold many lines.
    const tail = 'x'.repeat(600);
    let next = 0;
    const client = async () => {
      while (next < REQUESTS) {
        const i = next++;
        const res = await request(`${proxy}/items/${i}/${tail}`, { dispatcher: agent, reset: true });
        await res.body.dump();
        assert.equal(res.statusCode, 200);
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS * 2 }, client));
  } finally {
    await agent.close();
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    await upstream.close();
  }
  const lines = readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'));
  const access = [];
  for (const line of lines) {
    const entry = JSON.parse(line) as { msg?: string; worker?: number; path?: string };
    if (entry.msg === 'request') access.push(entry);
  }
  assert.equal(access.length, REQUESTS, 'one access line per request');
  const seen = new Set(access.map((e) => e.path?.split('/')[2]));
  assert.equal(seen.size, REQUESTS, 'every request logged once');
  assert.equal(new Set(access.map((e) => e.worker)).size, 2, 'both workers served and logged');
  tmp.cleanup();
});
