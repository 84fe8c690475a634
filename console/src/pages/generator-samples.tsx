/** The generator's samples: the preflight and request corsgate answers, and ready-to-copy configuration per stack. */
import { useRef, useState } from 'preact/hooks';
import type { GeneratorOutput, SampleExchange } from '../../../src/generator/index.js';
import { Copyable } from '../kit.js';

const CONFIGS = [
  [
    'express',
    'Express',
    'A complete Express 5 app: save as server.mjs, npm install express corsgate, node server.mjs.',
  ],
  [
    'fastify',
    'Fastify',
    'A complete Fastify 5 app (ES module, top-level await): npm install fastify corsgate.',
  ],
  [
    'hono',
    'Hono',
    'A Hono 4 app on Node (@hono/node-server); on Bun, Deno or Workers export app instead of calling serve.',
  ],
  ['koa', 'Koa', 'A complete Koa 3 app: npm install koa corsgate.'],
  [
    'node',
    'node:http',
    'Plain node:http, no framework: the middleware answers preflights and refusals and returns true.',
  ],
  [
    'fetch',
    'fetch',
    'For runtimes that serve a default-exported fetch handler (Cloudflare Workers, Bun, Deno).',
  ],
  [
    'policyFile',
    'Policy file',
    'For corsgate lint and corsgate serve --policy. The gateway takes origins as its allowlist; the other options replace its Salesforce defaults (credentials, GET to DELETE, requested headers echoed, Max-Age 600).',
  ],
  [
    'nginx',
    'nginx',
    'For an nginx reverse proxy in front of your API: echoes only the listed origins through a map, adds Vary: Origin, answers preflights with 204.',
  ],
] as const;
type ConfigKey = (typeof CONFIGS)[number][0];

function Exchange({ title, x }: { title: string; x: SampleExchange }) {
  const request = [
    `${x.request.method} /data HTTP/1.1`,
    ...Object.entries(x.request.headers).map(([n, v]) => `${n}: ${v}`),
  ].join('\n');
  const response = [`HTTP/1.1 ${x.status}`, ...Object.entries(x.headers).map(([n, v]) => `${n}: ${v}`)].join(
    '\n',
  );
  return (
    <section class="card">
      <h2>{title}</h2>
      <pre class="headers" aria-label={`${title}: request`}>
        <code>{request}</code>
      </pre>
      <pre class="headers" aria-label={`${title}: response`}>
        <code>{response}</code>
      </pre>
    </section>
  );
}

function ConfigTabs({ configs }: { configs: Record<ConfigKey, string> }) {
  const [tab, setTab] = useState<ConfigKey>('express');
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  // WAI-ARIA tabs: one tab stop, arrow keys (and Home/End) move between tabs.
  const onKey = (e: KeyboardEvent, i: number) => {
    const n = CONFIGS.length;
    const to =
      e.key === 'ArrowRight'
        ? (i + 1) % n
        : e.key === 'ArrowLeft'
          ? (i - 1 + n) % n
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? n - 1
              : -1;
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
          <button
            key={key}
            ref={(el) => {
              refs.current[i] = el;
            }}
            id={`tab-${key}`}
            type="button"
            role="tab"
            aria-selected={tab === key}
            aria-controls="cfg-panel"
            tabIndex={tab === key ? 0 : -1}
            class={tab === key ? 'tab active' : 'tab'}
            onClick={() => setTab(key)}
            onKeyDown={(e) => onKey(e, i)}
          >
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="cfg-panel" aria-labelledby={`tab-${tab}`}>
        <p class="muted">{current[2]}</p>
        <Copyable label={current[1]} text={configs[tab]} />
      </div>
    </section>
  );
}

/** The sample preflight and request, and the configuration tabs. */
export function Samples({ ok }: { ok: GeneratorOutput }) {
  return (
    <>
      <div class="row">
        <Exchange title={`Sample preflight (${ok.preflight.status})`} x={ok.preflight} />
        <Exchange title="Sample request" x={ok.actual} />
      </div>
      <ConfigTabs configs={ok.configs} />
    </>
  );
}
