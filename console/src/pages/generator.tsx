/** Header generator (public): choose a policy and see the headers, the warnings and ready-to-copy configuration. */
import { useMemo, useRef, useState } from 'preact/hooks';
import { generate, type SampleExchange } from '../../../src/generator/index.js';
import { Copyable } from '../kit.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const CONFIGS = [
  ['express', 'Express', 'A complete Express 5 app: save as server.mjs, npm install express corsgate, node server.mjs.'],
  ['fastify', 'Fastify', 'A complete Fastify 5 app (ES module, top-level await): npm install fastify corsgate.'],
  ['hono', 'Hono', 'A Hono 4 app on Node (@hono/node-server); on Bun, Deno or Workers export app instead of calling serve.'],
  ['koa', 'Koa', 'A complete Koa 3 app: npm install koa corsgate.'],
  ['node', 'node:http', 'Plain node:http, no framework: the middleware answers preflights and refusals and returns true.'],
  ['fetch', 'fetch', 'For runtimes that serve a default-exported fetch handler (Cloudflare Workers, Bun, Deno).'],
  ['policyFile', 'Policy file', "For corsgate lint and corsgate serve --policy. The gateway takes origins as its allowlist; the other options replace its Salesforce defaults (credentials, GET to DELETE, requested headers echoed, Max-Age 600)."],
  ['nginx', 'nginx', 'For an nginx reverse proxy in front of your API: echoes only the listed origins through a map, adds Vary: Origin, answers preflights with 204.'],
] as const;
type ConfigKey = (typeof CONFIGS)[number][0];

const list = (s: string) => s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);

function Exchange({ title, x }: { title: string; x: SampleExchange }) {
  const request = [`${x.request.method} /data HTTP/1.1`, ...Object.entries(x.request.headers).map(([n, v]) => `${n}: ${v}`)].join('\n');
  const response = [`HTTP/1.1 ${x.status}`, ...Object.entries(x.headers).map(([n, v]) => `${n}: ${v}`)].join('\n');
  return (
    <section class="card">
      <h2>{title}</h2>
      <pre class="headers" aria-label={`${title}: request`}><code>{request}</code></pre>
      <pre class="headers" aria-label={`${title}: response`}><code>{response}</code></pre>
    </section>
  );
}

function ConfigTabs({ configs }: { configs: Record<ConfigKey, string> }) {
  const [tab, setTab] = useState<ConfigKey>('express');
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  // WAI-ARIA tabs: one tab stop, arrow keys (and Home/End) move between tabs.
  const onKey = (e: KeyboardEvent, i: number) => {
    const n = CONFIGS.length;
    const to = e.key === 'ArrowRight' ? (i + 1) % n : e.key === 'ArrowLeft' ? (i - 1 + n) % n : e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : -1;
    if (to < 0) return;
    e.preventDefault();
    setTab(CONFIGS[to]![0]);
    refs.current[to]?.focus();
  };
  const current = CONFIGS.find(([k]) => k === tab)!;
  return (
    <section class="card" aria-labelledby="cfg-title">
      <h2 id="cfg-title">Configuration</h2>
      <div role="tablist" aria-label="Configuration for" class="tabs">
        {CONFIGS.map(([key, label], i) => (
          <button key={key} ref={(el) => { refs.current[i] = el; }} id={`tab-${key}`} type="button" role="tab" aria-selected={tab === key} aria-controls="cfg-panel" tabIndex={tab === key ? 0 : -1} class={tab === key ? 'tab active' : 'tab'} onClick={() => setTab(key)} onKeyDown={(e) => onKey(e, i)}>{label}</button>
        ))}
      </div>
      <div role="tabpanel" id="cfg-panel" aria-labelledby={`tab-${tab}`}>
        <p class="muted">{current[2]}</p>
        <Copyable label={current[1]} text={configs[tab]} />
      </div>
    </section>
  );
}

export function Generator() {
  const [origins, setOrigins] = useState('https://app.example.com');
  const [methods, setMethods] = useState(['GET', 'HEAD', 'POST', 'PUT']);
  const [headers, setHeaders] = useState('content-type, authorization');
  const [expose, setExpose] = useState('');
  const [credentials, setCredentials] = useState(true);
  const [maxAge, setMaxAge] = useState('600');
  const [privateApi, setPrivateApi] = useState(false);

  const maxAgeOk = maxAge.trim() === '' || /^\d+$/.test(maxAge.trim());
  const out = useMemo(() => {
    if (!maxAgeOk) return { error: { message: 'Max-Age must be a whole number of seconds (or empty for the browser default of 5 s).' } as Error & { problems?: undefined } };
    try {
      const o = origins.trim() === '*' ? '*' : list(origins);
      const h = headers.trim() === '*' ? '*' : list(headers);
      const x = expose.trim() === '*' ? '*' : list(expose);
      return { ok: generate({ origins: o, methods, requestHeaders: h, exposeHeaders: x, credentials, ...(maxAge.trim() ? { maxAge: Number(maxAge) } : {}), privateApi }) };
    } catch (err) {
      return { error: err as Error & { problems?: { path: string; message: string; hint?: string; severity?: string }[] } };
    }
  }, [origins, methods, headers, expose, credentials, maxAge, maxAgeOk, privateApi]);

  return (
    <div>
      <h1>Header generator</h1>
      <p>Describe who may call your API: see at once what corsgate answers, what could go wrong, and the configuration for your stack. Nothing leaves this page; no sign-in needed.</p>
      <form class="card" onSubmit={(e) => e.preventDefault()} aria-label="Policy choices">
        <label for="gen-origins">Allowed origins (one per line, or * for any site)</label>
        <textarea id="gen-origins" rows={3} spellcheck={false} value={origins} onInput={(e) => setOrigins(e.currentTarget.value)} />
        <fieldset>
          <legend>Methods</legend>
          {METHODS.map((m) => (
            <label class="check" key={m}><input type="checkbox" checked={methods.includes(m)} onChange={(e) => setMethods(e.currentTarget.checked ? [...methods, m] : methods.filter((x) => x !== m))} /> {m}</label>
          ))}
        </fieldset>
        <div class="row">
          <div><label for="gen-headers">Request headers</label><input id="gen-headers" spellcheck={false} value={headers} placeholder="content-type, authorization" onInput={(e) => setHeaders(e.currentTarget.value)} /></div>
          <div><label for="gen-expose">Exposed response headers</label><input id="gen-expose" spellcheck={false} value={expose} placeholder="x-request-id" onInput={(e) => setExpose(e.currentTarget.value)} /></div>
          <div><label for="gen-maxage">Max-Age (seconds)</label><input id="gen-maxage" inputMode="numeric" value={maxAge} aria-invalid={maxAgeOk ? 'false' : 'true'} onInput={(e) => setMaxAge(e.currentTarget.value)} /></div>
        </div>
        <label class="check"><input type="checkbox" checked={credentials} onChange={(e) => setCredentials(e.currentTarget.checked)} /> Allow credentials (cookies, HTTP authentication)</label>
        <label class="check"><input type="checkbox" checked={privateApi} onChange={(e) => setPrivateApi(e.currentTarget.checked)} /> This is a private API (not meant for any website)</label>
      </form>
      <div aria-live="polite">
        {'error' in out && out.error ? (
          <div class="card refused">
            <h2>This policy is refused</h2>
            <ul>{(out.error.problems?.filter((p) => p.severity !== 'warning') ?? [{ path: '', message: out.error.message }]).map((p, i) => <li key={i} class="error">{p.path ? `${p.path}: ` : ''}{p.message}{'hint' in p && p.hint ? <><br />Fix: {p.hint}</> : null}</li>)}</ul>
          </div>
        ) : out.ok ? (
          out.ok.warnings.length > 0 && (
            <section class="card" aria-labelledby="warn-title">
              <h2 id="warn-title">Warnings and notes</h2>
              <ul class="warnings">{out.ok.warnings.map((w) => <li key={w.code} class={w.severity === 'info' ? '' : w.severity === 'error' ? 'error' : 'warn'}><strong>{w.severity === 'error' ? 'Danger' : w.severity === 'warning' ? 'Warning' : 'Note'}:</strong> {w.message}</li>)}</ul>
            </section>
          )
        ) : null}
      </div>
      {out.ok && (
        <>
          <div class="row">
            <Exchange title={`Sample preflight (${out.ok.preflight.status})`} x={out.ok.preflight} />
            <Exchange title="Sample request" x={out.ok.actual} />
          </div>
          <ConfigTabs configs={out.ok.configs} />
        </>
      )}
    </div>
  );
}
