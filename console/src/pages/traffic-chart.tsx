/** Allowed, refused and would-be-refused requests over time: a small hand-written SVG line chart. */
import { useState } from 'preact/hooks';
import { ErrorText } from '../components.js';
import { useApi } from '../kit.js';

export interface TrafficBucket {
  start: string;
  allowed: number;
  refused: number;
  wouldRefuse: number;
}

const SERIES = [
  { key: 'allowed', label: 'Allowed', color: '#1a7f37' },
  { key: 'refused', label: 'Refused', color: '#cf222e' },
  { key: 'wouldRefuse', label: 'Would be refused (report-only)', color: '#9a6700' },
] as const;

const W = 600;
const H = 160;
const PAD = 28;

function points(buckets: readonly TrafficBucket[], key: (typeof SERIES)[number]['key'], max: number): string {
  const step = buckets.length > 1 ? (W - PAD - 8) / (buckets.length - 1) : 0;
  return buckets
    .map((b, i) => `${(PAD + i * step).toFixed(1)},${(H - 20 - (b[key] / max) * (H - 36)).toFixed(1)}`)
    .join(' ');
}

function time(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function TrafficChart({ tick }: { tick: number }) {
  const [period, setPeriod] = useState<'hour' | 'day'>('hour');
  const traffic = useApi<{ buckets: TrafficBucket[] }>(`/api/usage/traffic?period=${period}`, [tick]);
  const buckets = traffic.data?.buckets ?? [];
  const max = Math.max(1, ...buckets.flatMap((b) => [b.allowed, b.refused, b.wouldRefuse]));
  const total = (k: (typeof SERIES)[number]['key']) => buckets.reduce((n, b) => n + b[k], 0);
  const summary = SERIES.map((s) => `${s.label}: ${total(s.key)}`).join(', ');
  return (
    <section class="card" aria-labelledby="chart-title">
      <h2 id="chart-title">Requests over the last {period}</h2>
      <div class="tabs" role="group" aria-label="Period">
        {(['hour', 'day'] as const).map((p) => (
          <button
            key={p}
            type="button"
            class={`tab${p === period ? ' active' : ''}`}
            aria-pressed={p === period}
            onClick={() => setPeriod(p)}
          >
            Last {p}
          </button>
        ))}
      </div>
      <ErrorText error={traffic.error} />
      <svg
        class="chart"
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`Requests over the last ${period}. ${summary}`}
        aria-busy={traffic.loading ? 'true' : 'false'}
      >
        <line x1={PAD} y1={H - 20} x2={W - 8} y2={H - 20} stroke="#8c959f" />
        <text x={PAD - 4} y={20} text-anchor="end" class="axis">
          {max}
        </text>
        <text x={PAD - 4} y={H - 20} text-anchor="end" class="axis">
          0
        </text>
        {buckets.length > 0 && (
          <text x={PAD} y={H - 4} class="axis">
            {time(buckets[0]!.start)}
          </text>
        )}
        {buckets.length > 0 && (
          <text x={W - 8} y={H - 4} text-anchor="end" class="axis">
            {time(buckets[buckets.length - 1]!.start)}
          </text>
        )}
        {SERIES.map((s) => (
          <polyline
            key={s.key}
            fill="none"
            stroke={s.color}
            stroke-width="2"
            points={points(buckets, s.key, max)}
          />
        ))}
      </svg>
      <ul class="legend">
        {SERIES.map((s) => (
          <li key={s.key}>
            <span class={`swatch swatch-${s.key}`} aria-hidden="true" /> {s.label}:{' '}
            <strong>{total(s.key)}</strong>
          </li>
        ))}
      </ul>
    </section>
  );
}
