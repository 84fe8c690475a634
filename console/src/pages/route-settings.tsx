/** The routes page's Settings card: the OAuth preset and endpoints, their hosts, the refusal status, CSP on the default route. */
import { useEffect, useState } from 'preact/hooks';
import type { Settings } from '../../../src/store/types.js';
import { splitList } from './route-fields.js';

interface CardProps {
  settings: Settings;
  writable: boolean;
  onSave: (patch: Partial<Settings>, done: string) => void;
}

export function SettingsCard({ settings, writable, onSave }: CardProps) {
  const toggle =
    (key: 'oauthPreset' | 'corsForOAuthEndpoints' | 'cspOnDefaultRoute', label: string) => (e: Event) => {
      const on = (e.currentTarget as HTMLInputElement).checked;
      onSave({ [key]: on }, `${label}: ${on ? 'on' : 'off'}, in force at the gateway now.`);
    };
  return (
    <section class="card" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <div class="setting">
        <label class="check">
          <input
            type="checkbox"
            disabled={!writable}
            checked={settings.oauthPreset}
            aria-describedby="help-preset"
            onChange={toggle('oauthPreset', 'OAuth preset')}
          />{' '}
          OAuth preset: apply Salesforce's OAuth endpoint layout
        </label>
        <p id="help-preset" class="muted">
          Built-in routes for <code>/services/oauth2/*</code> and <code>/services/auth/*</code>: discovery
          (OpenID configuration, JWKS) open to any site, userinfo by the allowlist, the token family by the
          next setting, the rest closed.
        </p>
      </div>
      <div class="setting">
        <label class="check">
          <input
            type="checkbox"
            disabled={!writable}
            checked={settings.corsForOAuthEndpoints}
            aria-describedby="help-oauth"
            onChange={toggle('corsForOAuthEndpoints', 'Enable CORS for OAuth endpoints')}
          />{' '}
          Enable CORS for OAuth endpoints
        </label>
        <p id="help-oauth" class="muted">
          On: allowed origins may call the token, revoke, introspect, authorize and PKCE endpoints on the
          hosts below. Off (Salesforce's default): those endpoints refuse cross-origin requests.
        </p>
      </div>
      <HostsAndStatus settings={settings} writable={writable} onSave={onSave} />
      <div class="setting">
        <label class="check">
          <input
            type="checkbox"
            disabled={!writable}
            checked={settings.cspOnDefaultRoute}
            aria-describedby="help-cspdefault"
            onChange={toggle('cspOnDefaultRoute', 'Trusted-sites CSP on pages no route matches')}
          />{' '}
          Send the trusted-sites CSP on pages no route matches
        </label>
        <p id="help-cspdefault" class="muted">
          Adds the Content-Security-Policy built from Trusted sites to HTML pages that no route matches
          (routes choose it with their own CSP box).
        </p>
      </div>
    </section>
  );
}

/** The hosts the OAuth routes apply to, and the status a refused origin gets, saved together. */
function HostsAndStatus({ settings, writable, onSave }: CardProps) {
  const [myDomain, setMyDomain] = useState(settings.myDomainHosts.join(', '));
  const [experience, setExperience] = useState(settings.experienceCloudHosts.join(', '));
  const [refused, setRefused] = useState(String(settings.refusedStatus));
  useEffect(() => {
    setMyDomain(settings.myDomainHosts.join(', '));
    setExperience(settings.experienceCloudHosts.join(', '));
    setRefused(String(settings.refusedStatus));
  }, [settings]);
  const refusedOk = /^4\d\d$/.test(refused.trim());
  return (
    <>
      <div class="row">
        <div>
          <label for="set-mydomain">My Domain hosts</label>
          <input
            id="set-mydomain"
            disabled={!writable}
            value={myDomain}
            aria-describedby="help-mydomain"
            onInput={(e) => setMyDomain(e.currentTarget.value)}
          />
          <p id="help-mydomain" class="muted">
            Where the token endpoints may use CORS: comma-separated, <code>*.example.com</code>,{' '}
            <code>*</code> for any host.
          </p>
        </div>
        <div>
          <label for="set-experience">Experience Cloud hosts</label>
          <input
            id="set-experience"
            disabled={!writable}
            value={experience}
            aria-describedby="help-experience"
            onInput={(e) => setExperience(e.currentTarget.value)}
          />
          <p id="help-experience" class="muted">
            Site hosts for the token endpoints and the headless identity ones (registration, passwordless
            login, forgot password).
          </p>
        </div>
        <div>
          <label for="set-refused">Status for a refused origin</label>
          <input
            id="set-refused"
            disabled={!writable}
            inputMode="numeric"
            value={refused}
            aria-invalid={refusedOk ? 'false' : 'true'}
            aria-describedby="help-refused"
            onInput={(e) => setRefused(e.currentTarget.value)}
          />
          <p id="help-refused" class={refusedOk ? 'muted' : 'error'}>
            {refusedOk
              ? 'Answered to an origin that is not allowed (403, as Salesforce does).'
              : 'Use a 4xx status from 400 to 499, for example 403.'}
          </p>
        </div>
      </div>
      <button
        type="button"
        disabled={!writable || !refusedOk}
        onClick={() =>
          onSave(
            {
              myDomainHosts: splitList(myDomain),
              experienceCloudHosts: splitList(experience),
              refusedStatus: Number(refused.trim()),
            },
            'Saved the hosts and the refusal status: in force at the gateway now.',
          )
        }
      >
        Save hosts and status
      </button>
    </>
  );
}
