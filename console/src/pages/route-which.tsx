/** "Which rule applies?": the gateway's own matcher and path rules, asked about one URL or path. */
import { useMemo, useState } from 'preact/hooks';
import { compileRoutes, matchRoute, routingPath, type CompiledRoute } from '../../../src/gateway/routes.js';
import type { Settings } from '../../../src/store/types.js';
import { KINDS, type ListedRoute } from './route-fields.js';

const HOSTISH = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$|^\[[0-9a-f:.]+\]$/i;

/**
 * What the tester was given: a bare path (any host), a host and path, or a URL. Anything else is
 * refused with the reason, rather than answered as if it were a host.
 */
export function parseTarget(input: string): { host: string | null; path: string } | { problem: string } {
  const text = input.trim();
  const problem = `'${text}' is not a URL or a path: enter /services/oauth2/token, login.example.com/services/oauth2/token or https://login.example.com/services/oauth2/token`;
  if (text.startsWith('/')) {
    if (/\s/.test(text)) return { problem };
    const u = new URL(text, 'https://any-host.invalid');
    return { host: null, path: routingPath(u.pathname) };
  }
  let u: URL;
  try {
    u = new URL(text.includes('://') ? text : `https://${text}`);
  } catch {
    return { problem };
  }
  // "notaurl" parses as a URL with that host; a host needs a dot (or is localhost or an IP literal).
  if (
    !/^https?:$/.test(u.protocol) ||
    !HOSTISH.test(u.hostname) ||
    !(u.hostname.includes('.') || u.hostname === 'localhost' || u.hostname.startsWith('['))
  )
    return { problem };
  return { host: u.hostname.toLowerCase().replace(/\.$/, ''), path: routingPath(u.pathname) };
}

function ruleText(hit: CompiledRoute, settings: Settings): string {
  const on = hit.setting ? (settings as unknown as Record<string, unknown>)[hit.setting] === true : true;
  return `${hit.builtIn ? 'the OAuth preset’s' : 'your'} ${hit.kind} route (priority ${hit.priority}) applies: ${KINDS[hit.kind]}${hit.setting ? ` The setting ${hit.setting} is ${on ? 'on' : 'off'}, so CORS is ${on ? 'answered for allowed origins on this host' : 'refused here'}.` : ''}`;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The answer for a bare path: the rule on hosts no route names, and the host-specific rules before it. */
function anyHostAnswer(compiled: readonly CompiledRoute[], path: string, settings: Settings): string {
  // '' is a host no route lists: only routes for any host match it.
  const general = matchRoute(compiled, '', path);
  const specific: string[] = [];
  for (const r of compiled) {
    if (r === general) break;
    if (r.hostExact === null) continue;
    const hosts = [...r.hostExact, ...r.hostSuffixes.map((s) => `*${s}`)];
    const sample = hosts[0]?.replace(/^\*/, 'x');
    if (sample && matchRoute([r], sample, path))
      specific.push(`On ${hosts.join(', ')}: ${ruleText(r, settings)}`);
  }
  const rest = general
    ? capital(ruleText(general, settings))
    : 'No route matches: the allowlist applies (allowed origins with credentials, others 403).';
  return specific.length ? `${specific.join(' ')} On any other host: ${rest}` : `On any host: ${rest}`;
}

/** Answers "which rule applies to this URL or path?" with the gateway's own matcher and path rules. */
export function WhichRule({ routes, settings }: { routes: ListedRoute[]; settings: Settings }) {
  const [url, setUrl] = useState('');
  const compiled = useMemo(() => compileRoutes(routes, settings), [routes, settings]);
  let answer: string | null = null;
  let problem: string | null = null;
  if (url.trim()) {
    const target = parseTarget(url);
    if ('problem' in target) problem = target.problem;
    else if (target.host === null)
      answer = `${target.path}: ${anyHostAnswer(compiled, target.path, settings)}`;
    else {
      const hit = matchRoute(compiled, target.host, target.path);
      answer = hit
        ? capital(ruleText(hit, settings))
        : `No route matches ${target.host}${target.path}: the allowlist applies (allowed origins with credentials, others 403).`;
    }
  }
  return (
    <section class="card" aria-labelledby="which-title">
      <h2 id="which-title">Which rule applies?</h2>
      <label for="which-url">URL or path at the gateway</label>
      <input
        id="which-url"
        value={url}
        placeholder="/services/oauth2/token or https://api.example.com/v1/me"
        spellcheck={false}
        aria-invalid={problem ? 'true' : 'false'}
        onInput={(e) => setUrl(e.currentTarget.value)}
      />
      <p aria-live="polite" class={problem ? 'error' : ''}>
        {problem ?? answer ?? ''}
      </p>
    </section>
  );
}
