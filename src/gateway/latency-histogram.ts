/**
 * The upstream latency histogram, observed on every forwarded request. prom-client's own `observe`
 * rebuilds and hashes its label set on each call, even on a bound child; here each upstream's
 * buckets are plain numbers bound once, and prom-client reads them when it is scraped: the same
 * metric, the same exposition (`_bucket` with `le`, `_sum`, `_count`), summed across workers.
 */
import { Histogram, type MetricObjectWithValues, type MetricValueWithName, type Registry } from 'prom-client';

/** One upstream's observations: a count per bucket (the last one past every bound), their sum and number. */
export class LatencyCells {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(seconds: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]!) i++; // a bucket holds what is <= its bound
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }
}

type Values = MetricValueWithName<'upstream' | 'le'>[];
type Result = MetricObjectWithValues<MetricValueWithName<string>>;

export class UpstreamLatency extends Histogram<'upstream'> {
  private readonly cells = new Map<string, LatencyCells>();

  constructor(
    private readonly metricName: string,
    private readonly metricHelp: string,
    private readonly bounds: readonly number[],
    registers: Registry[],
  ) {
    super({ name: metricName, help: metricHelp, labelNames: ['upstream'], buckets: [...bounds], registers });
    // A registry's text exposition asks `getForPromString` first where a metric has one (Histogram
    // does, over its own label map, which stays empty here): give it the same values.
    Object.defineProperty(this, 'getForPromString', { value: () => this.get() });
  }

  /** The cells of one upstream, made once (the upstream pool keeps them). */
  cellsOf(upstream: string): LatencyCells {
    let cells = this.cells.get(upstream);
    if (cells === undefined) this.cells.set(upstream, (cells = new LatencyCells(this.bounds)));
    return cells;
  }

  override async get(): Promise<Result> {
    const values: Values = [];
    const name = this.metricName;
    const bucket = `${name}_bucket`;
    for (const [upstream, c] of this.cells) {
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += c.counts[i]!;
        values.push({ labels: { le: this.bounds[i]!, upstream }, value: cumulative, metricName: bucket });
      }
      values.push({ labels: { le: '+Inf', upstream }, value: c.count, metricName: bucket });
      values.push({ labels: { upstream }, value: c.sum, metricName: `${name}_sum` });
      values.push({ labels: { upstream }, value: c.count, metricName: `${name}_count` });
    }
    // As prom-client's own get() returns it (its types also ask for `collect`, and number `type`s).
    return { name, help: this.metricHelp, type: 'histogram', values, aggregator: 'sum' } as unknown as Result;
  }

  /** Zeroes every upstream's cells (the pools keep theirs bound). */
  override reset(): void {
    super.reset();
    // Histogram's constructor resets too, before this class's fields exist.
    if (this.cells === undefined) return;
    for (const c of this.cells.values()) {
      c.counts.fill(0);
      c.sum = 0;
      c.count = 0;
    }
  }
}
