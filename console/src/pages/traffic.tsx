/**
 * Traffic: what the gateway saw (issue 14), so that an admin acts on evidence — the requests over
 * time, the refused origins (add one to the allowlist with the pattern the engine suggests), the
 * entries nobody used for 30 days (delete), the CSP violations (add the trusted site that would
 * allow one) and, in report-only mode, where corsgate and the upstream disagree. Every action is
 * the same admin API call the other pages make, confirmed first.
 */
import { useState } from 'preact/hooks';
import type { Settings } from '../../../src/store/types.js';
import { canChange, type Me } from '../api.js';
import { ErrorText } from '../components.js';
import { Busy, ReadOnly, useSettings } from '../kit.js';
import { TrafficChart } from './traffic-chart.js';
import { CspViolations, UnusedEntries } from './traffic-cleanup.js';
import { Disagreements, RefusedTable } from './traffic-refused.js';

function ModeCard({ me }: { me: Me }) {
  const settings = useSettings();
  const mode = settings.data?.mode ?? 'enforce';
  const next: Settings['mode'] = mode === 'enforce' ? 'report-only' : 'enforce';
  const change = () => {
    const what =
      next === 'enforce'
        ? 'Enforce: origins outside the allowlist are refused from now on.'
        : 'Report-only: every request is forwarded untouched and only recorded.';
    if (!confirm(`Switch the gateway to ${next}? ${what}`)) return;
    return settings.save({ mode: next }, (s) => `The gateway is in ${s.mode} mode now.`);
  };
  return (
    <section class="card" aria-labelledby="mode-title">
      <h2 id="mode-title">Mode: {mode}</h2>
      <p>
        {mode === 'enforce'
          ? 'corsgate decides and answers every cross-origin request.'
          : "corsgate forwards every request, preflights included, leaves the upstream's CORS answer untouched and records what it would have done."}{' '}
        A route's own mode overrides this.
      </p>
      <button
        type="button"
        class={next === 'enforce' ? '' : 'secondary'}
        disabled={!canChange(me, 'customize-application') || settings.busy || !settings.data}
        onClick={change}
      >
        Switch to {next}
      </button>
      <Busy busy={settings.busy} />
      <ErrorText error={settings.error} />
    </section>
  );
}

export function Traffic({ me }: { me: Me }) {
  const [tick, setTick] = useState(0);
  const changed = () => setTick((n) => n + 1);
  return (
    <div>
      <h1>Traffic</h1>
      <p>
        What the gateway saw: counters are written every few seconds, summed over every node.{' '}
        <button type="button" class="secondary" onClick={changed}>
          Refresh
        </button>
      </p>
      <ReadOnly me={me} what="the allowlist and trusted sites" needs="modify-all-data" />
      <ModeCard me={me} />
      <TrafficChart tick={tick} />
      <RefusedTable me={me} tick={tick} changed={changed} />
      <Disagreements tick={tick} />
      <UnusedEntries me={me} tick={tick} changed={changed} />
      <CspViolations me={me} tick={tick} changed={changed} />
    </div>
  );
}
