/**
 * Scanner throughput against a loopback server, in URLs per minute: with the default politeness
 * (30 requests/s and 4 in flight per host) and with it lifted. The server answers like a correctly
 * configured API (an exact allowlist with Vary), so each URL costs the full first round plus the
 * follow-ups for the one trusted origin; the requests per URL are counted, not assumed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SCAN_DEFAULTS, scan } from '@corsgate/scan';
import { writeResults } from './support.js';

interface Measure {
  urls: number;
  seconds: number;
  perMinute: number;
  requestsPerUrl: number;
}

async function measure(
  base: string,
  count: number,
  options: Parameters<typeof scan>[1],
  counter: { n: number },
): Promise<Measure> {
  const urls = Array.from({ length: count }, (_, i) => `${base}/item/${i}`);
  counter.n = 0;
  const start = process.hrtime.bigint();
  const { results } = await scan(urls, options);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (results.some((r) => r.error))
    throw new Error(`scan failed: ${results.find((r) => r.error)!.error!.message}`);
  return { urls: count, seconds, perMinute: (count / seconds) * 60, requestsPerUrl: counter.n / count };
}

export default async function run(): Promise<void> {
  const counter = { n: 0 };
  const server = http.createServer((req, res) => {
    counter.n++;
    const origin = req.headers.origin;
    if (origin === 'https://app.example.com') res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const origins = ['https://app.example.com'];
  try {
    const polite = await measure(base, 3, { origins }, counter);
    const lifted = await measure(base, 60, { origins, rate: 0, concurrency: 16, parallel: 16 }, counter);
    const row = (name: string, m: Measure) =>
      `| ${name} | ${m.urls} | ${m.requestsPerUrl.toFixed(0)} | ${m.seconds.toFixed(1)} | ${m.perMinute.toFixed(0)} |`;
    const table = [
      '| settings | URLs | requests per URL | seconds | URLs per minute |',
      '|---|---:|---:|---:|---:|',
      row(`default (${SCAN_DEFAULTS.rate} req/s, ${SCAN_DEFAULTS.concurrency} in flight per host)`, polite),
      row('lifted (--rate 0 --concurrency 16, 16 URLs at once)', lifted),
    ].join('\n');
    console.log(table);
    writeResults(
      'scan',
      table,
      'All URLs on one loopback host, so the per-host limits apply to every request; `--origin https://app.example.com`. With the default politeness the rate limit is the bound: URLs per minute ≈ 60 × rate ÷ requests per URL.',
    );
  } finally {
    server.close();
  }
}
