/** Admin tokens: who may use the console and the API, with which permissions; create (shown once) and revoke. */
import { useState } from 'preact/hooks';
import type { Permission, TokenRecord } from '../../../src/store/types.js';
import { api, canChange, session, type Me } from '../api.js';
import { ErrorText, notify } from '../components.js';
import { Busy, Copyable, ReadOnly, useApi, useBusy } from '../kit.js';

/** Salesforce's permission names, from the least to the most. */
const PERMISSION_CHOICES: readonly (readonly [Permission, string])[] = [
  ['view-setup', 'View Setup: read everything (allowlist, routes, trusted sites, settings, audit, tokens)'],
  [
    'customize-application',
    'Customize Application: also change trusted sites, routes and settings, and run scans',
  ],
  ['modify-all-data', 'Modify All Data: also change the allowlist, import metadata and manage tokens'],
];

interface Created {
  token: string;
  name: string;
  permissions: Permission[];
}

export function Tokens({ me }: { me: Me }) {
  const writable = canChange(me, 'modify-all-data');
  const tokens = useApi<{ items: TokenRecord[] }>('/api/tokens');
  const [error, setError] = useState<unknown>(null);
  const [busy, busyWith] = useBusy();
  const revoke = (t: TokenRecord) => {
    const own = t.id === me.tokenId;
    if (
      !confirm(
        own
          ? `Revoke ${t.name}? It is the token you are signed in with: you will be signed out.`
          : `Revoke ${t.name}? Anyone using it is refused at once.`,
      )
    )
      return;
    setError(null);
    return busyWith(async () => {
      await api('DELETE', `/api/tokens/${encodeURIComponent(t.id)}`);
      notify(`Revoked ${t.name}: it no longer works.`);
      if (own) {
        session.token = null;
        location.hash = '#/signin';
        location.reload();
      } else tokens.reload();
    }, setError);
  };
  return (
    <div>
      <h1>Tokens</h1>
      <p>
        Every call to the admin API, the console's included, carries one of these tokens. The gateway keeps
        only a hash of each: a token is shown once, when it is created.
      </p>
      <ReadOnly me={me} what="tokens" needs="modify-all-data" />
      <CreateToken writable={writable} onCreated={tokens.reload} />
      <section aria-labelledby="tokens-title">
        <h2 id="tokens-title">Tokens in use{tokens.data ? ` (${tokens.data.items.length})` : ''}</h2>
        <ErrorText error={tokens.error ?? error} />
        <Busy busy={busy} what="Revoking" />
        <table class="list" aria-busy={tokens.loading ? 'true' : 'false'}>
          <caption class="sr-only">Admin tokens</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Permissions</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.data?.items.map((t) => (
              <TokenRow
                key={t.id}
                t={t}
                you={t.id === me.tokenId}
                canRevoke={writable && !busy}
                onRevoke={revoke}
              />
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

function CreateToken({ writable, onCreated }: { writable: boolean; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [permission, setPermission] = useState<Permission>('view-setup');
  const [created, setCreated] = useState<Created | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, busyWith] = useBusy();
  const submit = (e: Event) => {
    e.preventDefault();
    setError(null);
    setCreated(null);
    return busyWith(async () => {
      const out = await api<Created>('POST', '/api/tokens', { name: name.trim(), permissions: [permission] });
      setCreated(out);
      setName('');
      notify(`Created the token ${out.name}: copy it now, it is shown only once.`);
      onCreated();
    }, setError);
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="create-title">
      <h2 id="create-title">Create a token</h2>
      <label for="token-name">Name</label>
      <input
        id="token-name"
        required
        maxLength={100}
        disabled={!writable}
        value={name}
        placeholder="ci-deploy, auditor, alice"
        onInput={(e) => setName(e.currentTarget.value)}
      />
      <fieldset>
        <legend>Permission (each includes the ones above it)</legend>
        {PERMISSION_CHOICES.map(([p, label]) => (
          <label class="check block" key={p}>
            <input
              type="radio"
              name="permission"
              value={p}
              disabled={!writable}
              checked={permission === p}
              onChange={() => setPermission(p)}
            />{' '}
            <span>
              <code>{p}</code>: {label.split(': ')[1]}
            </span>
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={!writable || busy || name.trim() === ''}>
        Create token
      </button>
      <Busy busy={busy} what="Creating" />
      <ErrorText error={error} />
      {created && (
        <div class="created" role="alert">
          <p>
            <strong>Copy the token for {created.name} now.</strong> It is shown only this once; the gateway
            keeps only its hash.
          </p>
          <Copyable label={`Token for ${created.name}`} text={created.token} />
          <button type="button" class="secondary" onClick={() => setCreated(null)}>
            I have copied it
          </button>
        </div>
      )}
    </form>
  );
}

/** One token: its name (and whether it is yours), permissions, when and by whom, and Revoke. */
function TokenRow({
  t,
  you,
  canRevoke,
  onRevoke,
}: {
  t: TokenRecord;
  you: boolean;
  canRevoke: boolean;
  onRevoke: (t: TokenRecord) => void;
}) {
  return (
    <tr>
      <td data-label="Name">
        {t.name}
        {you && <strong class="chip-you"> (you)</strong>}
      </td>
      <td data-label="Permissions">
        {t.permissions.map((p) => (
          <code key={p} class="chip">
            {p}
          </code>
        ))}
      </td>
      <td data-label="Created">
        <time dateTime={t.createdAt}>{new Date(t.createdAt).toLocaleString()}</time>{' '}
        <span class="muted">by {t.createdBy}</span>
      </td>
      <td class="actions">
        <button
          type="button"
          class="danger"
          disabled={!canRevoke}
          onClick={() => onRevoke(t)}
          aria-label={`Revoke ${t.name}`}
        >
          Revoke
        </button>
      </td>
    </tr>
  );
}
