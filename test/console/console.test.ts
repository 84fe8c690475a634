/**
 * The admin console in real headless Chromium, against the real gateway (compiled CLI, temp SQLite
 * store), used as a new user would: sign in, manage origins (valid, invalid, edit, delete, bulk
 * paste, Salesforce import and export) and see each change take effect through the proxy, routes and
 * the OAuth setting, trusted sites with the CSP preview, the header generator, explain, scan and the
 * audit log. Screenshots of every page at desktop and phone widths are taken on each run;
 * CORSGATE_UPDATE_SCREENSHOTS=1 copies them to docs/screenshots/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { repoRoot, startCli, tempDir, TOKEN, type RunningGateway } from '../gateway/helpers.js';

const APP = 'https://app.example.com';
const APP2 = 'https://app2.example.com';
const IMPORTED = 'https://imported.example.com';
const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';

describe('admin console', () => {
  let gw: RunningGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cleanup: () => void;
  const pageProblems: string[] = [];
  const apiRequests: { url: string; authorization: string | undefined; cookie: string | undefined }[] = [];
  const shots = mkdtempSync(join(tmpdir(), 'corsgate-shots-'));

  before(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    gw = await startCli(['--store', `sqlite:${join(t.dir, 'console.db')}`]);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gw.admin });
    page = await context.newPage();
    page.on('dialog', (d) => void d.accept());
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) pageProblems.push(m.text());
    });
    page.on('pageerror', (e) => pageProblems.push(e.message));
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/')) apiRequests.push({ url: r.url(), authorization: r.headers().authorization, cookie: r.headers().cookie });
    });
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
    cleanup?.();
  });

  const proxyOrigin = async (origin: string, path = '/api/hello') => {
    const res = await fetch(`${gw.proxy}${path}`, { headers: { Origin: origin } });
    await res.arrayBuffer();
    return { status: res.status, acao: res.headers.get('access-control-allow-origin') };
  };
  const allowlistCell = (pattern: string) => page.getByRole('table', { name: /^Allowed origins/ }).getByRole('cell', { name: pattern, exact: true });

  test('the console is served under a strict CSP, with no inline script, and clickjacking protection', async () => {
    const res = await fetch(`${gw.admin}/`);
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('set-cookie'), null);
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length > 0);
    for (const s of scripts) {
      assert.match(s[0], /src="\/assets\//, 'every script is a file');
      assert.equal(s[1]!.trim(), '', 'no inline script');
    }
    assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
  });

  test('CSRF: the API takes the token from a header only, so a forged cross-site form is refused', async () => {
    const res = await fetch(`${gw.admin}/api/allowlist`, { method: 'POST', headers: { 'content-type': 'text/plain', cookie: `token=${TOKEN}` }, body: JSON.stringify({ urlPattern: 'https://csrf.example.com' }) });
    assert.equal(res.status, 401);
  });

  test('sign in with a token; a wrong token is refused; the token stays out of URLs and cookies', async () => {
    await page.goto(`${gw.admin}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Admin token').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByLabel('Admin token').press('Enter');
    await page.getByRole('heading', { name: 'Allowed origins' }).waitFor();
    assert.ok(!page.url().includes(TOKEN), 'the token never appears in a URL');
    assert.deepEqual(await context.cookies(), [], 'no cookies');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('corsgate.token')), TOKEN);
    assert.equal(await page.evaluate(() => localStorage.length), 0, 'nothing outlives the tab');
    const signedIn = apiRequests.filter((r) => r.authorization === `Bearer ${TOKEN}`);
    assert.ok(signedIn.length > 0, 'the token travels in the Authorization header');
    assert.ok(apiRequests.every((r) => !r.url.includes(TOKEN) && r.cookie === undefined));
  });

  test("add a valid origin and see it take effect through the proxy; an invalid one gets the engine's message and fix", async () => {
    assert.equal((await proxyOrigin(APP)).status, 403);
    await page.getByLabel('Origin URL pattern').fill('http://app.example.com');
    await page.getByText('http is only allowed for loopback hosts').first().waitFor();
    await page.getByText('Fix: did you mean https://app.example.com?').first().waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add origin' }).isDisabled(), true);
    // '*' compiles as a policy but is no origin: the console refuses it, alone or in a bulk paste.
    await page.getByLabel('Origin URL pattern').fill('*');
    await page.getByText("'*' is not an origin").first().waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add origin' }).isDisabled(), true);
    await page.getByLabel(/One origin per line/).fill('https://ok.example.com\n*');
    await page.getByRole('button', { name: /^Add all/ }).click();
    await page.getByText(/Line 2: '\*' is not an origin.*Nothing was added\./).waitFor();
    await page.getByLabel('Origin URL pattern').fill('https://*.com');
    await page.getByText('public suffix').first().waitFor();
    await page.getByLabel('Origin URL pattern').fill(APP);
    await page.getByLabel('Description', { exact: true }).fill('web app');
    await page.getByRole('button', { name: 'Add origin' }).click();
    await allowlistCell(APP).waitFor();
    await page.getByText(`Added ${APP}`).waitFor();
    const after = await proxyOrigin(APP);
    assert.equal(after.status, 200);
    assert.equal(after.acao, APP);
  });

  test('edit an origin: the old one is refused and the new one allowed at once', async () => {
    await page.getByRole('button', { name: `Edit ${APP}` }).click();
    const form = page.getByRole('form', { name: `Edit ${APP}` });
    await form.getByLabel('Origin URL pattern').fill('https://app2.example.com/');
    await form.getByText('ends with a slash').waitFor();
    assert.equal(await form.getByRole('button', { name: 'Save' }).isDisabled(), true);
    await form.getByLabel('Origin URL pattern').fill(APP2);
    await form.getByRole('button', { name: 'Save' }).click();
    await allowlistCell(APP2).waitFor();
    assert.equal((await proxyOrigin(APP)).status, 403);
    assert.equal((await proxyOrigin(APP2)).acao, APP2);
  });

  test('bulk paste reports each line, with the fix for invalid ones', async () => {
    await page.getByLabel(/One origin per line/).fill(`https://a.example.com first\nhttp://bad.example.com\n${APP}\n${APP2}`);
    await page.getByRole('button', { name: /^Add all/ }).click();
    const results = page.getByRole('table', { name: 'Bulk paste results' });
    await results.waitFor();
    const text = await results.innerText();
    assert.match(text, /1\s+https:\/\/a\.example\.com\s+added/);
    assert.match(text, /2\s+http:\/\/bad\.example\.com\s+invalid: .*loopback.*Fix: did you mean https:\/\/bad\.example\.com\?/);
    assert.match(text, /3\s+https:\/\/app\.example\.com\s+added/);
    assert.match(text, /4\s+https:\/\/app2\.example\.com\s+duplicate/);
    await page.getByText('2 added, 1 invalid, 1 duplicate.').waitFor();
    assert.equal((await proxyOrigin('https://a.example.com')).status, 200);
  });

  test('search narrows the list on the server', async () => {
    await page.getByLabel('Search').fill('app2');
    await page.waitForFunction(() => document.querySelectorAll('table[aria-busy="false"] tbody tr').length === 1);
    await allowlistCell(APP2).waitFor();
    await page.getByLabel('Search').fill('');
    await allowlistCell(APP).waitFor();
  });

  test('delete an origin: the proxy refuses it again', async () => {
    await page.getByRole('button', { name: `Delete ${APP}` }).click();
    await allowlistCell(APP).waitFor({ state: 'detached' });
    assert.equal((await proxyOrigin(APP)).status, 403);
  });

  test('import Salesforce metadata, then export it as a metadata zip', async () => {
    const file = join(shots, 'Imported.corsWhitelistOrigin');
    writeFileSync(file, `<?xml version="1.0" encoding="UTF-8"?>\n<CorsWhitelistOrigin ${NS}>\n  <developerName>Imported</developerName>\n  <urlPattern>${IMPORTED}</urlPattern>\n</CorsWhitelistOrigin>\n`);
    await page.getByLabel(/Import a file/).setInputFiles(file);
    await page.getByText('Imported Imported.corsWhitelistOrigin: 1 origins added').waitFor();
    assert.equal((await proxyOrigin(IMPORTED)).acao, IMPORTED);
    const bad = join(shots, 'Bad.corsWhitelistOrigin');
    writeFileSync(bad, `<CorsWhitelistOrigin ${NS}><developerName>Bad</developerName><urlPattern>http://bad.example.com</urlPattern></CorsWhitelistOrigin>`);
    await page.getByLabel(/Import a file/).setInputFiles(bad);
    await page.getByText('nothing was imported').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export as a metadata zip' }).click()]);
    assert.equal(download.suggestedFilename(), 'corsgate-metadata.zip');
    const zip = readFileSync((await download.path())!);
    assert.equal(zip.subarray(0, 2).toString('latin1'), 'PK');
    assert.ok(zip.includes(Buffer.from('corsWhitelistOrigin')), 'the zip holds CorsWhitelistOrigin files');
  });

  test('routes: the OAuth preset is listed, explained, and its setting takes effect through the proxy', async () => {
    await page.goto(`${gw.admin}/#/routes`);
    await page.getByRole('heading', { name: 'Routes in force' }).waitFor();
    await page.getByRole('cell', { name: /\/services\/oauth2\/token/ }).waitFor();
    await page.getByText(/When on, allowed origins may call the OAuth token/).waitFor();
    const preflight = async () => {
      const res = await fetch(`${gw.proxy}/services/oauth2/token`, { method: 'OPTIONS', headers: { Origin: APP2, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' } });
      await res.arrayBuffer();
      return res.status;
    };
    assert.equal(await preflight(), 403);
    await page.getByLabel('URL at the gateway').fill('https://login.example.com/services/oauth2/token');
    await page.getByText(/The setting corsForOAuthEndpoints is off/).waitFor();
    await page.getByLabel('Enable CORS for OAuth endpoints').check();
    await page.getByText(/The setting corsForOAuthEndpoints is on/).waitFor();
    assert.equal(await preflight(), 204);
    await page.getByLabel('Enable CORS for OAuth endpoints').uncheck();
    await page.getByText(/The setting corsForOAuthEndpoints is off/).waitFor();
    assert.equal(await preflight(), 403);
  });

  test('routes: add a public route, see which rule applies, delete it', async () => {
    await page.getByLabel('Paths').fill('/public/*');
    await page.getByRole('button', { name: 'Add route' }).click();
    await page.getByRole('button', { name: 'Delete route /public/*' }).waitFor();
    const res = await fetch(`${gw.proxy}/public/x`, { headers: { Origin: 'https://anyone.example.net' } });
    await res.arrayBuffer();
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    await page.getByLabel('URL at the gateway').fill('api.example.com/public/x');
    await page.getByText(/Your public route \(priority 0\) applies/).waitFor();
    await page.getByRole('button', { name: 'Delete route /public/*' }).click();
    await page.getByRole('button', { name: 'Delete route /public/*' }).waitFor({ state: 'detached' });
    await page.getByText(/No route matches api\.example\.com\/public\/x/).waitFor();
  });

  test('trusted site with the live CSP preview; edit it and see the preview follow', async () => {
    await page.goto(`${gw.admin}/#/sites`);
    await page.getByLabel('Trusted site name').fill('cdn site');
    await page.getByText('Trusted site name: the name may hold letters').waitFor();
    await page.getByLabel('Trusted site name').fill('cdn');
    await page.getByLabel('URL', { exact: true }).fill('https://cdn.example.com');
    await page.getByLabel(/img-src/).check();
    const preview = page.getByTestId('csp-preview');
    await page.waitForFunction(() => document.querySelector('[data-testid="csp-preview"]')?.textContent?.includes('img-src \'self\' https://cdn.example.com'));
    assert.match(await preview.innerText(), /connect-src 'self' https:\/\/cdn\.example\.com; font-src 'self';/);
    await page.getByRole('button', { name: 'Add trusted site' }).click();
    await page.getByRole('cell', { name: 'https://cdn.example.com' }).waitFor();
    await page.getByRole('button', { name: 'Edit cdn' }).click();
    await page.getByRole('heading', { name: 'Edit cdn' }).waitFor();
    await page.getByLabel(/font-src/).check();
    await page.getByLabel(/connect-src/).uncheck();
    await page.waitForFunction(() => document.querySelector('[data-testid="csp-preview"]')?.textContent?.includes("font-src 'self' https://cdn.example.com"));
    assert.match(await preview.innerText(), /^Content-Security-Policy: connect-src 'self'; font-src 'self' https:\/\/cdn\.example\.com;/);
    assert.match(await page.locator('#preview-title + p').innerText(), /\d+ bytes/);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: 'font-src, img-src' }).waitFor();
    const status = await (await fetch(`${gw.admin}/api/status`, { headers: { authorization: `Bearer ${TOKEN}` } })).json() as { csp: string };
    assert.match(status.csp, /font-src 'self' https:\/\/cdn\.example\.com/);
  });

  test('header generator: headers, warnings, keyboard tabs and a config to copy', async () => {
    await page.goto(`${gw.admin}/#/generator`);
    await page.getByText('Sample preflight (204)').waitFor();
    assert.match(await page.getByLabel('Sample preflight (204): response').innerText(), /Access-Control-Allow-Origin: https:\/\/app\.example\.com\nAccess-Control-Allow-Credentials: true/);
    await page.getByRole('tab', { name: 'Express' }).focus();
    await page.keyboard.press('End');
    assert.equal(await page.getByRole('tab', { name: 'nginx' }).getAttribute('aria-selected'), 'true');
    await page.getByRole('button', { name: 'Copy' }).click();
    assert.match(await page.evaluate(() => navigator.clipboard.readText()), /map \$http_origin \$cors_origin/);
    await page.getByRole('tab', { name: 'nginx' }).press('Home');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Express', 'focus follows the selected tab');
    await page.getByRole('tabpanel').getByRole('button', { name: 'Copy' }).click();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(copied, /import \{ cors \} from 'corsgate\/express';[\s\S]*app\.listen\(3000\);/);
    await page.getByLabel(/Allowed origins/).fill('*');
    await page.getByText('This policy is refused').waitFor();
    await page.getByText(/credentials cannot be allowed for any origin/).waitFor();
    await page.getByLabel(/Allow credentials/).uncheck();
    await page.getByLabel(/private API/).check();
    await page.getByText(/a private API should list the origins/).waitFor();
  });

  test('explain a pasted case; malformed input gets a clear message', async () => {
    await page.goto(`${gw.admin}/#/explain`);
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.getByText('Blocked: the preflight failed').waitFor();
    await page.getByText("must not be the wildcard '*'").first().waitFor();
    await page.getByRole('heading', { name: /^Fix/ }).waitFor();
    // Both browsers: Firefox's own words beside Chromium's, and where they differ.
    await page.getByLabel('Browser').selectOption('both');
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.getByText('Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’', { exact: false }).first().waitFor();
    await page.getByRole('heading', { name: 'Where Chromium and Firefox differ' }).waitFor();
    await page.getByLabel('Browser').selectOption('chromium');
    await page.getByLabel(/^Case/).fill('{ not json');
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.getByRole('alert').waitFor();
    // A HAR file: the cross-origin request without Access-Control-Allow-Origin is explained.
    const har = { log: { entries: [
      { request: { method: 'GET', url: 'https://app.example.com/', headers: [] }, response: { status: 200, headers: [] } },
      { request: { method: 'GET', url: 'https://api.example.net/me', headers: [{ name: 'Origin', value: 'https://app.example.com' }] }, response: { status: 200, headers: [{ name: 'Content-Type', value: 'application/json' }] } },
    ] } };
    const file = join(shots, 'session.har');
    writeFileSync(file, JSON.stringify(har));
    await page.getByLabel('Or load a HAR file').setInputFiles(file);
    await page.waitForFunction(() => (document.getElementById('explain-input') as HTMLTextAreaElement).value.includes('api.example.net/me'));
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.getByText('GET https://api.example.net/me', { exact: true }).waitFor();
    await page.getByText(/No 'Access-Control-Allow-Origin' header is present/).first().waitFor();
  });

  test('scan a URL from the console: progress, findings and grade', async () => {
    const { createServer } = await import('node:http');
    const reflecting = createServer((req, res) => {
      if (req.headers.origin) {
        res.setHeader('Access-Control-Allow-Origin', req.headers.origin);
        res.setHeader('Access-Control-Allow-Credentials', 'true');
      }
      res.end('{}');
    });
    await new Promise<void>((r) => reflecting.listen(0, '127.0.0.1', () => r()));
    try {
      const address = reflecting.address() as { port: number };
      await page.goto(`${gw.admin}/#/scan`);
      await page.getByLabel('URL').fill(`http://127.0.0.1:${address.port}/api`);
      await page.getByRole('button', { name: 'Scan' }).click();
      await page.getByText('Status: done').waitFor({ timeout: 30_000 });
      await page.getByRole('cell', { name: /Any origin is reflected/ }).waitFor();
      await page.getByText(/grade [A-F]/).first().waitFor();
    } finally {
      reflecting.closeAllConnections();
      reflecting.close();
    }
  });

  test('the audit log shows who changed what, with diffs, and filters', async () => {
    await page.goto(`${gw.admin}/#/audit`);
    await page.getByRole('cell', { name: /update allowlist/ }).first().waitFor();
    const table = page.getByRole('table', { name: 'Audit log entries' });
    const text = await table.innerText();
    assert.match(text, /token:admin \(CORSGATE_ADMIN_TOKEN\)/);
    assert.match(text, /urlPattern\s+"https:\/\/app\.example\.com" "https:\/\/app2\.example\.com"/, 'the edit shows before and after');
    await page.getByLabel('Show').selectOption('trusted-site');
    await page.waitForFunction(() => [...document.querySelectorAll('table[aria-busy="false"] tbody tr')].length > 0 && [...document.querySelectorAll('tbody tr')].every((r) => r.textContent!.includes('trusted-site')));
    await page.getByLabel('Show').selectOption('');
    await page.getByLabel('Containing').fill('imported.example.com');
    await page.waitForFunction(() => [...document.querySelectorAll('tbody tr')].length === 1);
    assert.match(await table.innerText(), /import allowlist/);
  });

  test('a view-setup token sees every page read-only, with its controls disabled, not hidden', async () => {
    const res = await fetch(`${gw.admin}/api/tokens`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'auditor', permissions: ['view-setup'] }) });
    const { token } = (await res.json()) as { token: string };
    const viewer = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const p = await viewer.newPage();
      await p.goto(`${gw.admin}/#/origins`);
      await p.getByLabel('Admin token').fill(token);
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p.getByRole('heading', { name: 'Allowed origins' }).waitFor();
      await p.getByText(/Read-only: your token can view the allowlist/).waitFor();
      assert.equal(await p.getByLabel('Origin URL pattern').isDisabled(), true);
      assert.equal(await p.getByRole('button', { name: 'Add origin' }).isDisabled(), true);
      await p.getByRole('button', { name: `Delete ${APP2}` }).waitFor();
      assert.equal(await p.getByRole('button', { name: `Delete ${APP2}` }).isDisabled(), true);
      for (const [hash, heading, control] of [['routes', 'Routes & endpoint rules', 'Enable CORS for OAuth endpoints'], ['sites', 'Trusted sites (CSP)', 'Trusted site name'], ['scan', 'Scan', 'URL']] as const) {
        await p.goto(`${gw.admin}/#/${hash}`);
        await p.getByRole('heading', { name: heading, exact: true }).waitFor();
        await p.getByText(/Read-only: your token can view/).waitFor();
        assert.equal(await p.getByLabel(control, { exact: true }).isDisabled(), true, `${hash}: ${control}`);
      }
      const nav = await p.getByRole('navigation', { name: 'Console pages' }).innerText();
      for (const title of ['Allowed origins', 'Routes & endpoint rules', 'Trusted sites (CSP)', 'Scan', 'Audit log']) assert.ok(nav.includes(title), `${title} stays in the navigation`);
    } finally {
      await viewer.close();
    }
  });

  test('the header generator and explain work without a token, as public tools', async () => {
    const anonymous = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const p = await anonymous.newPage();
      const calls: string[] = [];
      p.on('request', (r) => calls.push(new URL(r.url()).pathname));
      await p.goto(`${gw.admin}/#/generator`);
      await p.getByText('Sample preflight (204)').waitFor();
      await p.getByLabel('Request headers').fill('content-type, x-trace');
      await p.getByText(/Access-Control-Allow-Headers: content-type,x-trace/).waitFor();
      await p.goto(`${gw.admin}/#/explain`);
      await p.getByRole('button', { name: 'Explain' }).click();
      await p.getByText('Blocked: the preflight failed').waitFor();
      assert.deepEqual(calls.filter((c) => c.startsWith('/api/')), [], 'no API call without a token');
      await p.goto(`${gw.admin}/#/origins`);
      await p.getByRole('heading', { name: 'Sign in' }).waitFor();
    } finally {
      await anonymous.close();
    }
  });

  test('screenshots of every page at desktop and phone widths', async () => {
    const pages = ['origins', 'routes', 'sites', 'generator', 'explain', 'scan', 'audit'];
    // The scan page is shown with the results of a scan of a (deliberately misconfigured) local server.
    const { createServer } = await import('node:http');
    const target = createServer((req, res) => {
      if (req.headers.origin) res.setHeader('Access-Control-Allow-Origin', req.headers.origin);
      res.end('{}');
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
    const targetUrl = `http://127.0.0.1:${(target.address() as { port: number }).port}/api`;
    for (const [label, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]] as const) {
      await page.setViewportSize(viewport);
      for (const p of pages) {
        await page.goto(`${gw.admin}/#/${p}`);
        await page.locator('main h1').waitFor();
        if (p === 'explain') await page.getByRole('button', { name: 'Explain' }).click();
        if (p === 'scan') {
          await page.getByLabel('URL').fill(targetUrl);
          await page.getByRole('button', { name: 'Scan' }).click();
          await page.getByText('Status: done').waitFor({ timeout: 30_000 });
        }
        // Wait for the page's data (lists, previews) rather than an arbitrary delay.
        await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]') && !document.querySelector('main [role="status"]')?.textContent?.startsWith('Loading'));
        await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
        // The top of the page down to a fixed depth, so results below the form are in the picture.
        const height = Math.min(await page.evaluate(() => document.documentElement.scrollHeight), label === 'desktop' ? 1400 : 1700);
        await page.screenshot({ path: join(shots, `${p}-${label}.png`), fullPage: true, clip: { x: 0, y: 0, width: viewport.width, height } });
      }
    }
    target.closeAllConnections();
    target.close();
    assert.deepEqual(pageProblems, [], 'no script error and no CSP violation on any page');
    if (process.env.CORSGATE_UPDATE_SCREENSHOTS === '1') {
      const dest = join(repoRoot(), 'docs', 'screenshots');
      mkdirSync(dest, { recursive: true });
      for (const p of pages) for (const label of ['desktop', 'phone']) copyFileSync(join(shots, `${p}-${label}.png`), join(dest, `${p}-${label}.png`));
    }
  });
});
