// The upstream latency histogram keeps plain counts; what prom-client reads from it must be exactly
// what prom-client's own Histogram gives for the same observations, in JSON (what workers send to
// be aggregated), in the text exposition, and once aggregated across two workers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AggregatorRegistry, Histogram, Registry } from 'prom-client';
import { UpstreamLatency } from '../../src/gateway/latency-histogram.js';

const BOUNDS = [0.001, 0.005, 0.01, 0.1, 1];
const NAME = 'corsgate_upstream_duration_seconds';
const HELP = 'Time to the upstream response headers, by upstream.';
// On a bound, between bounds, past the last one, and zero.
const SAMPLES: [string, number][] = [
  ['http://a:1', 0.001],
  ['http://a:1', 0.0003],
  ['http://a:1', 0.007],
  ['http://a:1', 5],
  ['http://b:2', 0],
  ['http://b:2', 0.1],
  ['http://b:2', 0.0999],
];

function both() {
  const ours = new Registry();
  const theirs = new Registry();
  const latency = new UpstreamLatency(NAME, HELP, BOUNDS, [ours]);
  const reference = new Histogram({
    name: NAME,
    help: HELP,
    labelNames: ['upstream'],
    buckets: BOUNDS,
    registers: [theirs],
  });
  for (const [upstream, seconds] of SAMPLES) {
    latency.cellsOf(upstream).observe(seconds);
    reference.labels({ upstream }).observe(seconds);
  }
  return { ours, theirs, latency };
}

test('the JSON and the text exposition equal prom-client Histogram for the same observations', async () => {
  const { ours, theirs } = both();
  // prom-client adds an empty `exemplar` to each value; the rest must be the same, in the same order.
  const plain = async (r: Registry) =>
    (await r.getMetricsAsJSON()).map((m) => ({
      ...m,
      values: (m.values as { labels: object; value: number; metricName?: string }[]).map(
        ({ labels, value, metricName }) => ({ labels, value, metricName }),
      ),
    }));
  assert.deepEqual(await plain(ours), await plain(theirs));
  const text = await ours.metrics();
  assert.equal(text, await theirs.metrics());
  assert.match(text, /corsgate_upstream_duration_seconds_bucket\{le="0.001",upstream="http:\/\/a:1"\} 2\n/);
  assert.match(text, /corsgate_upstream_duration_seconds_bucket\{le="\+Inf",upstream="http:\/\/a:1"\} 4\n/);
  assert.match(text, /corsgate_upstream_duration_seconds_count\{upstream="http:\/\/b:2"\} 3\n/);
});

test('aggregated across two workers, the buckets, sums and counts add up as prom-client’s do', async () => {
  const a = both();
  const b = both();
  const r1 = both();
  const r2 = both();
  const ours = AggregatorRegistry.aggregate([
    await a.ours.getMetricsAsJSON(),
    await b.ours.getMetricsAsJSON(),
  ]);
  const theirs = AggregatorRegistry.aggregate([
    await r1.theirs.getMetricsAsJSON(),
    await r2.theirs.getMetricsAsJSON(),
  ]);
  const text = await ours.metrics();
  assert.equal(text, await theirs.metrics());
  assert.match(text, /corsgate_upstream_duration_seconds_count\{upstream="http:\/\/a:1"\} 8\n/);
});

test('the cells of an upstream are made once, and reset zeroes them without unbinding them', async () => {
  const { ours, latency } = both();
  const cells = latency.cellsOf('http://a:1');
  assert.equal(latency.cellsOf('http://a:1'), cells);
  ours.resetMetrics();
  cells.observe(0.002);
  const json = await ours.getMetricsAsJSON();
  const values = json[0]!.values as { metricName?: string; labels: Record<string, unknown>; value: number }[];
  const count = values.find((v) => v.metricName === `${NAME}_count` && v.labels.upstream === 'http://a:1');
  assert.equal(count?.value, 1);
});
