/** The scanTargets setting: where the gateway's scans may go besides what is always allowed. */
import { useEffect, useState } from 'preact/hooks';
import { canChange, type Me } from '../api.js';
import { ErrorText } from '../components.js';
import { Busy, ReadOnly, useApi, useSettings } from '../kit.js';

const list = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((l) => l.trim())
    .filter(Boolean);

/** Where the gateway's scans may go: the scanTargets setting, beside what is always allowed. */
export function ScanTargets({ me }: { me: Me }) {
  const writable = canChange(me, 'modify-all-data');
  const settings = useSettings();
  const status = useApi<{ upstream: string; proxyUrl: string }>('/api/status');
  const [text, setText] = useState('');
  useEffect(() => setText(settings.data?.scanTargets.join(', ') ?? ''), [settings.data]);
  const save = (e: Event) => {
    e.preventDefault();
    return settings.save({ scanTargets: list(text) }, (saved) =>
      saved.scanTargets.length
        ? `Saved: scans may also reach ${saved.scanTargets.join(', ')}.`
        : 'Saved: scans may reach public addresses, the upstream and the proxy only.',
    );
  };
  return (
    <form class="card" onSubmit={save} aria-labelledby="targets-title">
      <h2 id="targets-title">Where scans may go</h2>
      <p>
        Scans are sent from the gateway, inside your network. They may always reach public addresses, the
        upstream
        {status.data ? (
          <>
            {' '}
            (<code>{status.data.upstream}</code>)
          </>
        ) : (
          ''
        )}{' '}
        and the gateway's proxy
        {status.data ? (
          <>
            {' '}
            (<code>{status.data.proxyUrl}</code>)
          </>
        ) : (
          ''
        )}
        . Private, loopback and link-local addresses (10.0.0.0/8, 127.0.0.1, 169.254.169.254, …) only when
        listed here.
      </p>
      <ReadOnly me={me} what="where scans may go" needs="modify-all-data" />
      <label for="scan-targets">Also allowed</label>
      <input
        id="scan-targets"
        disabled={!writable}
        spellcheck={false}
        value={text}
        placeholder="none: e.g. 10.0.0.0/8, api.internal, *.corp.example"
        aria-describedby="scan-targets-help"
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <p id="scan-targets-help" class="muted">
        IP addresses, CIDR ranges, host names and <code>*.domain</code>, comma-separated; <code>*</code>{' '}
        allows everything. Every connection of a scan, redirects included, is checked and sent to the address
        checked.
      </p>
      <button
        type="submit"
        disabled={
          !writable ||
          settings.busy ||
          settings.data === null ||
          text === settings.data.scanTargets.join(', ')
        }
      >
        Save
      </button>
      <Busy busy={settings.busy} />
      <ErrorText error={settings.error} />
    </form>
  );
}
