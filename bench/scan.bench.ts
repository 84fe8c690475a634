/**
 * Scanner throughput against a loopback server, in URLs per minute: with the default politeness
 * (10 requests/s and 2 in flight per host) and with it lifted. Each URL costs about 45 requests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { scan } from '../src/scan/index.js';
import { writeResults } from './support.js';

async function measure(base: string, count: number, options: Parameters<typeof scan>[1]): Promise<{ urls: number; seconds: number; perMinute: number }> {
  const urls = Array.from({ length: count }, (_, i) => `${base}/item/${i}`);
  const start = process.hrtime.bigint();
  const { results } = await scan(urls, options);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (results.some((r) => r.error)) throw new Error(`scan failed: ${results.find((r) => r.error)!.error!.message}`);
  return { urls: count, seconds, perMinute: (count / seconds) * 60 };
}

export default async function run(): Promise<void> {
  const server = http.createServer((req, res) => {
    const origin = req.headers.origin;
    if (origin === 'https://app.example.com') res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const polite = await measure(base, 3, {});
    const lifted = await measure(base, 60, { rate: 0, concurrency: 16, parallel: 16 });
    const table = [
      '| settings | URLs | seconds | URLs per minute |',
      '|---|---:|---:|---:|',
      `| default (10 req/s, 2 in flight per host) | ${polite.urls} | ${polite.seconds.toFixed(1)} | ${polite.perMinute.toFixed(0)} |`,
      `| lifted (--rate 0 --concurrency 16) | ${lifted.urls} | ${lifted.seconds.toFixed(1)} | ${lifted.perMinute.toFixed(0)} |`,
    ].join('\n');
    console.log(table);
    writeResults('scan', table, 'All URLs on one loopback host, so the per-host limits apply to every request.');
  } finally {
    server.close();
  }
}
