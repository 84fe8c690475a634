/** Header generator (public): choose a policy and see the headers, the warnings and ready-to-copy configuration. */
import { useMemo, useState } from 'preact/hooks';
import { generate } from '../../../src/generator/index.js';
import { Copyable, HeaderTable } from '../components.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const CONFIGS = [['express', 'Express'], ['fastify', 'Fastify'], ['hono', 'Hono'], ['koa', 'Koa'], ['node', 'node:http'], ['fetch', 'fetch'], ['policyFile', 'Gateway policy file'], ['nginx', 'nginx']] as const;

const list = (s: string) => s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);

export function Generator() {
  const [origins, setOrigins] = useState('https://app.example.com');
  const [methods, setMethods] = useState(['GET', 'HEAD', 'POST', 'PUT']);
  const [headers, setHeaders] = useState('content-type, authorization');
  const [expose, setExpose] = useState('');
  const [credentials, setCredentials] = useState(true);
  const [maxAge, setMaxAge] = useState('600');
  const [privateApi, setPrivateApi] = useState(false);
  const [tab, setTab] = useState<(typeof CONFIGS)[number][0]>('express');

  const out = useMemo(() => {
    try {
      const o = origins.trim() === '*' ? '*' : list(origins);
      return { ok: generate({ origins: o, methods, requestHeaders: list(headers), exposeHeaders: list(expose), credentials, ...(maxAge.trim() ? { maxAge: Number(maxAge) } : {}), privateApi }) };
    } catch (err) {
      return { error: err as Error & { problems?: { path: string; message: string }[] } };
    }
  }, [origins, methods, headers, expose, credentials, maxAge, privateApi]);

  return (
    <div>
      <h1>Header generator</h1>
      <p>Describe who may call your API; see exactly what corsgate answers, what could go wrong, and the configuration for your stack.</p>
      <form class="card" onSubmit={(e) => e.preventDefault()}>
        <label for="gen-origins">Allowed origins (one per line, or *)</label>
        <textarea id="gen-origins" rows={3} value={origins} onInput={(e) => setOrigins(e.currentTarget.value)} />
        <fieldset>
          <legend>Methods</legend>
          {METHODS.map((m) => (
            <label class="check" key={m}><input type="checkbox" checked={methods.includes(m)} onChange={(e) => setMethods(e.currentTarget.checked ? [...methods, m] : methods.filter((x) => x !== m))} /> {m}</label>
          ))}
        </fieldset>
        <div class="row">
          <div><label for="gen-headers">Request headers</label><input id="gen-headers" value={headers} onInput={(e) => setHeaders(e.currentTarget.value)} /></div>
          <div><label for="gen-expose">Exposed response headers</label><input id="gen-expose" value={expose} onInput={(e) => setExpose(e.currentTarget.value)} /></div>
          <div><label for="gen-maxage">Max-Age (seconds)</label><input id="gen-maxage" inputMode="numeric" value={maxAge} onInput={(e) => setMaxAge(e.currentTarget.value)} /></div>
        </div>
        <label class="check"><input type="checkbox" checked={credentials} onChange={(e) => setCredentials(e.currentTarget.checked)} /> Allow credentials (cookies, HTTP authentication)</label>
        <label class="check"><input type="checkbox" checked={privateApi} onChange={(e) => setPrivateApi(e.currentTarget.checked)} /> This is a private API (not meant for any website)</label>
      </form>
      {'error' in out && out.error ? (
        <div class="card" role="alert">
          <h2>This policy is refused</h2>
          <ul>{(out.error.problems ?? [{ path: '', message: out.error.message }]).map((p, i) => <li key={i} class="error">{p.path ? `${p.path}: ` : ''}{p.message}</li>)}</ul>
        </div>
      ) : out.ok ? (
        <div>
          {out.ok.warnings.length > 0 && (
            <section class="card" aria-labelledby="warn-title">
              <h2 id="warn-title">Warnings</h2>
              <ul>{out.ok.warnings.map((w) => <li key={w.code} class={w.severity === 'error' ? 'error' : 'warn'}>{w.message}</li>)}</ul>
            </section>
          )}
          <div class="row">
            <section class="card"><h2>Sample preflight answer ({out.ok.preflight.status})</h2><HeaderTable headers={out.ok.preflight.headers} /></section>
            <section class="card"><h2>Sample request answer</h2><HeaderTable headers={out.ok.actual.headers} /></section>
          </div>
          <section class="card" aria-labelledby="cfg-title">
            <h2 id="cfg-title">Configuration</h2>
            <div role="tablist" aria-label="Configuration for">
              {CONFIGS.map(([key, label]) => (
                <button key={key} type="button" role="tab" aria-selected={tab === key} class={tab === key ? 'tab active' : 'tab'} onClick={() => setTab(key)}>{label}</button>
              ))}
            </div>
            <div role="tabpanel"><Copyable label={CONFIGS.find(([k]) => k === tab)![1]} text={out.ok.configs[tab]} /></div>
          </section>
        </div>
      ) : null}
    </div>
  );
}
