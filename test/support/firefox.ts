/**
 * Headless Firefox ESR (Debian's `firefox-esr`) driven over WebDriver BiDi, which Firefox's Remote
 * Agent speaks itself: no geckodriver, no downloaded browser. One fresh profile per launch.
 * A missing Firefox is a test failure, never a skip: a browser test that did not run proves nothing.
 *
 * `chrome(expression)` evaluates in the parent process (`moz:scope: "chrome"`, allowed by
 * `--remote-allow-system-access`), where Services.console sees every message of the web console,
 * warnings included, with its category (the message's key in Firefox's .properties files).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

export const FIREFOX_PATH = process.env.CORSGATE_FIREFOX ?? '/usr/bin/firefox-esr';

/** Profile preferences: English messages whatever language pack is installed, and a quiet network. */
const PREFS: Record<string, string | boolean | number> = {
  'intl.locale.requested': 'en-US',
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.http.speculative-parallel-limit': 0,
};

/** A BiDi event: its method and params. */
export interface BidiEvent {
  method: string;
  params: Record<string, unknown>;
}

export interface Firefox {
  version: string;
  send<T = Record<string, unknown>>(method: string, params?: Record<string, unknown>): Promise<T>;
  onEvent(listener: (e: BidiEvent) => void): void;
  /** Evaluates an expression in the parent process and returns its JSON-serialisable value. */
  chrome<T>(expression: string): Promise<T>;
  /** Evaluates an expression (awaited) in a browsing context and returns its value. */
  evaluate<T>(context: string, expression: string): Promise<T>;
  close(): Promise<void>;
}

function waitForEndpoint(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `Firefox printed no WebDriver BiDi address within ${timeoutMs} ms:\n${seen.slice(-2000)}`,
          ),
        ),
      timeoutMs,
    );
    const onData = (d: Buffer) => {
      seen += d.toString();
      const m = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stderr!.on('data', onData);
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Firefox exited (${code}) before it listened:\n${seen.slice(-2000)}`));
    });
  });
}

/** Value of a BiDi script.evaluate result (remote values are primitives here: the scripts return JSON text). */
function unwrap<T>(result: {
  type: string;
  result?: { type: string; value?: unknown };
  exceptionDetails?: { text: string };
}): T {
  if (result.type === 'exception') throw new Error(`script threw: ${result.exceptionDetails?.text}`);
  const v = result.result;
  return (v?.type === 'string' ? JSON.parse(v.value as string) : v?.value) as T;
}

export async function launchFirefox(): Promise<Firefox> {
  if (!existsSync(FIREFOX_PATH)) {
    throw new Error(
      `Firefox not found at ${FIREFOX_PATH}: install Debian's package (apt-get install -y firefox-esr) ` +
        'or set CORSGATE_FIREFOX. Browser tests fail rather than skip when it is missing.',
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'corsgate-firefox-'));
  writeFileSync(
    join(profile, 'user.js'),
    Object.entries(PREFS)
      .map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});\n`)
      .join(''),
  );
  const child = spawn(
    FIREFOX_PATH,
    [
      '--headless',
      '--remote-debugging-port=0',
      '--remote-allow-system-access',
      '--no-remote',
      '--profile',
      profile,
      'about:blank',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1', LANG: 'en_US.UTF-8' },
    },
  );
  const cleanup = () => rmSync(profile, { recursive: true, force: true });
  let endpoint: string;
  try {
    endpoint = await waitForEndpoint(child, 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    cleanup();
    throw err;
  }
  const ws = new WebSocket(`${endpoint}/session`, {
    perMessageDeflate: false,
    maxPayload: 256 * 1024 * 1024,
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 0;
  const pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }
  >();
  const listeners: Array<(e: BidiEvent) => void> = [];
  ws.on('message', (data: Buffer) => {
    const m = JSON.parse(data.toString()) as {
      id?: number;
      type: string;
      result?: unknown;
      error?: string;
      message?: string;
      method?: string;
      params?: Record<string, unknown>;
    };
    if (m.id !== undefined) {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.type === 'error') p?.reject(new Error(`${p.method}: ${m.error}: ${m.message}`));
      else p?.resolve(m.result);
    } else if (m.method) {
      for (const l of listeners) l({ method: m.method, params: m.params ?? {} });
    }
  });
  ws.on('close', () => {
    for (const p of pending.values()) p.reject(new Error(`${p.method}: the BiDi connection closed`));
    pending.clear();
  });
  const send = <T>(method: string, params: Record<string, unknown> = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method });
      ws.send(JSON.stringify({ id, method, params }));
    });
  const session = await send<{ capabilities: { browserVersion: string } }>('session.new', {
    capabilities: {},
  });
  const tree = await send<{ contexts: Array<{ context: string; url: string }> }>('browsingContext.getTree', {
    'moz:scope': 'chrome',
  });
  const chromeContext =
    tree.contexts.find((c) => c.url === 'chrome://browser/content/browser.xhtml')?.context ??
    tree.contexts[0]?.context;
  if (!chromeContext)
    throw new Error('Firefox gave no chrome browsing context: is --remote-allow-system-access honoured?');
  const evaluate = async <T>(context: string, expression: string): Promise<T> =>
    unwrap<T>(
      await send('script.evaluate', {
        expression,
        target: { context },
        awaitPromise: true,
        resultOwnership: 'none',
      }),
    );
  return {
    version: session.capabilities.browserVersion,
    send,
    onEvent: (l) => listeners.push(l),
    chrome: (expression) => evaluate(chromeContext, expression),
    evaluate,
    close: async () => {
      const exited = new Promise<void>((r) =>
        child.exitCode !== null ? r() : child.once('exit', () => r()),
      );
      try {
        await Promise.race([send('browser.close'), new Promise((r) => setTimeout(r, 5000))]);
      } catch {
        // the connection closes as the browser quits
      }
      ws.close();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      cleanup();
    },
  };
}
