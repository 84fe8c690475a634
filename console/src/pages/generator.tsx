/** Header generator (public): choose a policy and see the headers, the warnings and ready-to-copy configuration. */
import { useMemo, useState } from 'preact/hooks';
import { generate } from '../../../src/generator/index.js';
import { Samples } from './generator-samples.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const list = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** The policy choices as typed. */
function useChoices() {
  const [origins, setOrigins] = useState('https://app.example.com');
  const [methods, setMethods] = useState(['GET', 'HEAD', 'POST', 'PUT']);
  const [headers, setHeaders] = useState('content-type, authorization');
  const [expose, setExpose] = useState('');
  const [credentials, setCredentials] = useState(true);
  const [maxAge, setMaxAge] = useState('600');
  const [privateApi, setPrivateApi] = useState(false);
  return {
    origins,
    setOrigins,
    methods,
    setMethods,
    headers,
    setHeaders,
    expose,
    setExpose,
    credentials,
    setCredentials,
    maxAge,
    setMaxAge,
    privateApi,
    setPrivateApi,
  };
}

type Choices = ReturnType<typeof useChoices>;

/** The generator's answer for the choices (`ok`), or why the policy is refused (`error`). */
function useGenerated({ origins, methods, headers, expose, credentials, maxAge, privateApi }: Choices) {
  const maxAgeOk = maxAge.trim() === '' || /^\d+$/.test(maxAge.trim());
  const out = useMemo(() => {
    if (!maxAgeOk)
      return {
        error: {
          message: 'Max-Age must be a whole number of seconds (or empty for the browser default of 5 s).',
        } as Error & { problems?: undefined },
      };
    try {
      const o = origins.trim() === '*' ? '*' : list(origins);
      const h = headers.trim() === '*' ? '*' : list(headers);
      const x = expose.trim() === '*' ? '*' : list(expose);
      return {
        ok: generate({
          origins: o,
          methods,
          requestHeaders: h,
          exposeHeaders: x,
          credentials,
          ...(maxAge.trim() ? { maxAge: Number(maxAge) } : {}),
          privateApi,
        }),
      };
    } catch (err) {
      return {
        error: err as Error & {
          problems?: { path: string; message: string; hint?: string; severity?: string }[];
        },
      };
    }
  }, [origins, methods, headers, expose, credentials, maxAge, maxAgeOk, privateApi]);
  return { out, maxAgeOk };
}

type Generated = ReturnType<typeof useGenerated>['out'];

export function Generator() {
  const c = useChoices();
  const { out, maxAgeOk } = useGenerated(c);
  return (
    <div>
      <h1>Header generator</h1>
      <p>
        Describe who may call your API: see at once what corsgate answers, what could go wrong, and the
        configuration for your stack. Nothing leaves this page; no sign-in needed.
      </p>
      <ChoicesForm c={c} maxAgeOk={maxAgeOk} />
      <div aria-live="polite">
        <Verdict out={out} />
      </div>
      {out.ok && <Samples ok={out.ok} />}
    </div>
  );
}

/** The choices: origins, methods, headers, Max-Age, credentials, a private API. */
function ChoicesForm({ c, maxAgeOk }: { c: Choices; maxAgeOk: boolean }) {
  return (
    <form class="card" onSubmit={(e) => e.preventDefault()} aria-label="Policy choices">
      <label for="gen-origins">Allowed origins (one per line, or * for any site)</label>
      <textarea
        id="gen-origins"
        rows={3}
        spellcheck={false}
        value={c.origins}
        onInput={(e) => c.setOrigins(e.currentTarget.value)}
      />
      <fieldset>
        <legend>Methods</legend>
        {METHODS.map((m) => (
          <label class="check" key={m}>
            <input
              type="checkbox"
              checked={c.methods.includes(m)}
              onChange={(e) =>
                c.setMethods(e.currentTarget.checked ? [...c.methods, m] : c.methods.filter((x) => x !== m))
              }
            />{' '}
            {m}
          </label>
        ))}
      </fieldset>
      <div class="row">
        <div>
          <label for="gen-headers">Request headers</label>
          <input
            id="gen-headers"
            spellcheck={false}
            value={c.headers}
            placeholder="content-type, authorization"
            onInput={(e) => c.setHeaders(e.currentTarget.value)}
          />
        </div>
        <div>
          <label for="gen-expose">Exposed response headers</label>
          <input
            id="gen-expose"
            spellcheck={false}
            value={c.expose}
            placeholder="x-request-id"
            onInput={(e) => c.setExpose(e.currentTarget.value)}
          />
        </div>
        <div>
          <label for="gen-maxage">Max-Age (seconds)</label>
          <input
            id="gen-maxage"
            inputMode="numeric"
            value={c.maxAge}
            aria-invalid={maxAgeOk ? 'false' : 'true'}
            onInput={(e) => c.setMaxAge(e.currentTarget.value)}
          />
        </div>
      </div>
      <label class="check">
        <input
          type="checkbox"
          checked={c.credentials}
          onChange={(e) => c.setCredentials(e.currentTarget.checked)}
        />{' '}
        Allow credentials (cookies, HTTP authentication)
      </label>
      <label class="check">
        <input
          type="checkbox"
          checked={c.privateApi}
          onChange={(e) => c.setPrivateApi(e.currentTarget.checked)}
        />{' '}
        This is a private API (not meant for any website)
      </label>
    </form>
  );
}

/** Why the policy is refused, or the warnings and notes about it (nothing when there are none). */
function Verdict({ out }: { out: Generated }) {
  return (
    <>
      {'error' in out && out.error ? (
        <div class="card refused">
          <h2>This policy is refused</h2>
          <ul>
            {(
              out.error.problems?.filter((p) => p.severity !== 'warning') ?? [
                { path: '', message: out.error.message },
              ]
            ).map((p, i) => (
              <li key={i} class="error">
                {p.path ? `${p.path}: ` : ''}
                {p.message}
                {'hint' in p && p.hint ? (
                  <>
                    <br />
                    Fix: {p.hint}
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        </div>
      ) : out.ok ? (
        out.ok.warnings.length > 0 && (
          <section class="card" aria-labelledby="warn-title">
            <h2 id="warn-title">Warnings and notes</h2>
            <ul class="warnings">
              {out.ok.warnings.map((w) => (
                <li
                  key={w.code}
                  class={w.severity === 'info' ? '' : w.severity === 'error' ? 'error' : 'warn'}
                >
                  <strong>
                    {w.severity === 'error' ? 'Danger' : w.severity === 'warning' ? 'Warning' : 'Note'}:
                  </strong>{' '}
                  {w.message}
                </li>
              ))}
            </ul>
          </section>
        )
      ) : null}
    </>
  );
}
