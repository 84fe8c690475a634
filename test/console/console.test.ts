/**
 * The admin console in real headless Chromium, against the real gateway (compiled CLI, temp SQLite
 * store), used as a new user would: sign in, manage origins (valid, invalid, edit, delete, bulk
 * paste, Salesforce import and export) and see each change take effect through the proxy, routes and
 * the OAuth setting, route editing, trusted sites with the CSP preview and baseline, the header
 * generator, explain, scan (targets, options, history) and the audit log; every change is confirmed
 * by a notice. Screenshots of every page at desktop and phone widths are taken on each run;
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
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text()))
        pageProblems.push(m.text());
    });
    page.on('pageerror', (e) => pageProblems.push(e.message));
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/'))
        apiRequests.push({
          url: r.url(),
          authorization: r.headers().authorization,
          cookie: r.headers().cookie,
        });
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
  const allowlistCell = (pattern: string) =>
    page.getByRole('table', { name: /^Allowed origins/ }).getByRole('cell', { name: pattern, exact: true });

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
    const res = await fetch(`${gw.admin}/api/allowlist`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', cookie: `token=${TOKEN}` },
      body: JSON.stringify({ urlPattern: 'https://csrf.example.com' }),
    });
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
    await page.getByRole('navigation', { name: 'Allowlist pages' }).getByText('No origins yet').waitFor();
    assert.doesNotMatch(
      await page.getByRole('navigation', { name: 'Allowlist pages' }).innerText(),
      /of 0/,
      'never "Page 1 of 0"',
    );
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
    await page.getByLabel(/One origin per line/).fill('https://ok.example.com\n\n*');
    await page.getByRole('button', { name: /^Add all/ }).click();
    await page.getByText(/Line 3: '\*' is not an origin.*Nothing was added\./).waitFor();
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
    await page.getByText(`Saved: ${APP2} replaces ${APP}, in force now.`).waitFor();
    assert.equal((await proxyOrigin(APP)).status, 403);
    assert.equal((await proxyOrigin(APP2)).acao, APP2);
  });

  test('bulk paste reports each line, with the fix for invalid ones', async () => {
    // Blank lines count: each result names the line as the user sees it in the box.
    await page
      .getByLabel(/One origin per line/)
      .fill(`https://a.example.com first\n\nhttp://bad.example.com\n${APP}\n   \n${APP2}`);
    await page.getByRole('button', { name: /^Add all/ }).click();
    const results = page.getByRole('table', { name: 'Bulk paste results' });
    await results.waitFor();
    const text = await results.innerText();
    assert.match(text, /1\s+https:\/\/a\.example\.com\s+added/);
    assert.match(
      text,
      /3\s+http:\/\/bad\.example\.com\s+invalid: .*loopback.*Fix: did you mean https:\/\/bad\.example\.com\?/,
    );
    assert.match(text, /4\s+https:\/\/app\.example\.com\s+added/);
    assert.match(text, /6\s+https:\/\/app2\.example\.com\s+duplicate/);
    await page.getByText('2 added, 1 invalid, 1 duplicate.').waitFor();
    await page.getByText(/Bulk paste: 2 origins added and in force/).waitFor();
    await page
      .getByRole('navigation', { name: 'Allowlist pages' })
      .getByText('Page 1 of 1: 1–3 of 3')
      .waitFor();
    assert.equal((await proxyOrigin('https://a.example.com')).status, 200);
  });

  test('search narrows the list on the server', async () => {
    await page.getByLabel('Search').fill('app2');
    await page.waitForFunction(
      () => document.querySelectorAll('table[aria-busy="false"] tbody tr').length === 1,
    );
    await allowlistCell(APP2).waitFor();
    await page.getByLabel('Search').fill('zzz-nothing');
    await page
      .getByRole('navigation', { name: 'Allowlist pages' })
      .getByText('No origins match “zzz-nothing”')
      .waitFor();
    await page.getByLabel('Search').fill('');
    await allowlistCell(APP).waitFor();
  });

  test('delete an origin: the proxy refuses it again', async () => {
    await page.getByRole('button', { name: `Delete ${APP}` }).click();
    await allowlistCell(APP).waitFor({ state: 'detached' });
    await page.getByText(`Deleted ${APP}: requests from it are refused now.`).waitFor();
    assert.equal((await proxyOrigin(APP)).status, 403);
  });

  test('import Salesforce metadata, then export it as a metadata zip', async () => {
    const file = join(shots, 'Imported.corsWhitelistOrigin');
    writeFileSync(
      file,
      `<?xml version="1.0" encoding="UTF-8"?>\n<CorsWhitelistOrigin ${NS}>\n  <developerName>Imported</developerName>\n  <urlPattern>${IMPORTED}</urlPattern>\n</CorsWhitelistOrigin>\n`,
    );
    await page.getByLabel(/Import a file/).setInputFiles(file);
    await page.getByText('Imported Imported.corsWhitelistOrigin: 1 origins added').waitFor();
    await page.getByText('Imported Imported.corsWhitelistOrigin; in force at the gateway now.').waitFor();
    assert.equal((await proxyOrigin(IMPORTED)).acao, IMPORTED);
    const bad = join(shots, 'Bad.corsWhitelistOrigin');
    writeFileSync(
      bad,
      `<CorsWhitelistOrigin ${NS}><developerName>Bad</developerName><urlPattern>http://bad.example.com</urlPattern></CorsWhitelistOrigin>`,
    );
    await page.getByLabel(/Import a file/).setInputFiles(bad);
    await page
      .getByText(/^Import of Bad\.corsWhitelistOrigin: nothing was imported: 1 problem\(s\) found/)
      .waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export as a metadata zip' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'corsgate-metadata.zip');
    await page.getByText(/^Exported corsgate-metadata\.zip/).waitFor();
    const zip = readFileSync((await download.path())!);
    assert.equal(zip.subarray(0, 2).toString('latin1'), 'PK');
    assert.ok(zip.includes(Buffer.from('corsWhitelistOrigin')), 'the zip holds CorsWhitelistOrigin files');
  });

  test('routes: the OAuth preset is listed, explained, and its setting takes effect through the proxy', async () => {
    await page.goto(`${gw.admin}/#/routes`);
    await page.getByRole('heading', { name: 'Routes in force' }).waitFor();
    await page.getByRole('cell', { name: /\/services\/oauth2\/token/ }).waitFor();
    await page
      .getByText(/On: allowed origins may call the token, revoke, introspect, authorize and PKCE endpoints/)
      .waitFor();
    const preflight = async () => {
      const res = await fetch(`${gw.proxy}/services/oauth2/token`, {
        method: 'OPTIONS',
        headers: {
          Origin: APP2,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type',
        },
      });
      await res.arrayBuffer();
      return res.status;
    };
    assert.equal(await preflight(), 403);
    await page
      .getByLabel('URL or path at the gateway')
      .fill('https://login.example.com/services/oauth2/token');
    await page.getByText(/The setting corsForOAuthEndpoints is off/).waitFor();
    await page.getByLabel('Enable CORS for OAuth endpoints').check();
    await page.getByText(/The setting corsForOAuthEndpoints is on/).waitFor();
    await page.getByText('Enable CORS for OAuth endpoints: on, in force at the gateway now.').waitFor();
    assert.equal(await preflight(), 204);
    await page.getByLabel('Enable CORS for OAuth endpoints').uncheck();
    await page.getByText(/The setting corsForOAuthEndpoints is off/).waitFor();
    // The preview follows the checkbox at once; the gateway enforces once the save is in force.
    await page.getByText('Enable CORS for OAuth endpoints: off, in force at the gateway now.').waitFor();
    assert.equal(await preflight(), 403);
    // A bare path is answered for any host, host-specific rules first; what is neither URL nor path is refused.
    const which = page.getByLabel('URL or path at the gateway');
    await which.fill('/services/oauth2/token');
    await page
      .getByText(
        /^\/services\/oauth2\/token: On any host: The OAuth preset’s opt-in route \(priority 1000001\) applies: .*The setting corsForOAuthEndpoints is off, so CORS is refused here\./,
      )
      .waitFor();
    await which.fill('/services/oauth2/%74oken');
    await page
      .getByText(/^\/services\/oauth2\/token: On any host: The OAuth preset’s opt-in route/)
      .waitFor();
    await page.getByLabel('My Domain hosts').fill('login.example.com');
    await page.getByRole('button', { name: 'Save hosts and status' }).click();
    await page.getByText('Saved the hosts and the refusal status: in force at the gateway now.').waitFor();
    await which.fill('/services/oauth2/token ');
    await page
      .getByText(
        /^\/services\/oauth2\/token: On login\.example\.com: the OAuth preset’s opt-in route .* On any other host: The OAuth preset’s closed route \(priority 1000000\) applies/,
      )
      .waitFor();
    await page.getByLabel('My Domain hosts').fill('*');
    await page.getByRole('button', { name: 'Save hosts and status' }).click();
    for (const bad of ['not a url', 'notaurl', 'ftp://files.example.com/x']) {
      await which.fill(bad);
      await page
        .getByText(
          `'${bad}' is not a URL or a path: enter /services/oauth2/token, login.example.com/services/oauth2/token or https://login.example.com/services/oauth2/token`,
        )
        .waitFor();
      assert.equal(await which.getAttribute('aria-invalid'), 'true');
    }
    await which.fill('');
  });

  test('routes: add a public route, see which rule applies, delete it', async () => {
    await page.getByLabel('Paths').fill('/public/*');
    await page.getByRole('button', { name: 'Add route' }).click();
    await page.getByRole('button', { name: 'Delete route /public/*' }).waitFor();
    const res = await fetch(`${gw.proxy}/public/x`, { headers: { Origin: 'https://anyone.example.net' } });
    await res.arrayBuffer();
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    await page.getByText('Added a public route for /public/*: in force at the gateway now.').waitFor();
    await page.getByLabel('URL or path at the gateway').fill('api.example.com/public/x');
    await page.getByText(/Your public route \(priority 0\) applies/).waitFor();
    // Edit it: the old path falls back to the allowlist at once, the new one is public.
    await page.getByRole('button', { name: 'Edit route /public/*' }).click();
    const form = page.getByRole('form', { name: 'Edit the route for /public/*' });
    await form.getByLabel('Paths').fill('/open/*');
    await form.getByLabel('Priority').fill('5');
    // The route's own upstream is checked as typed (the API checks it again: route-upstream-*).
    await form.getByLabel('Upstream').fill('ftp://files.example.com/');
    await form
      .getByText('An absolute http:// or https:// URL, without user name, password, query or #fragment.')
      .waitFor();
    assert.equal(await form.getByRole('button', { name: 'Save route' }).isDisabled(), true);
    await form.getByLabel('Upstream').fill('');
    await form.getByLabel(/Allow WebSocket connections/).uncheck();
    await form.getByRole('button', { name: 'Save route' }).click();
    await page.getByText('Saved the public route for /open/*: in force at the gateway now.').waitFor();
    await page.getByRole('button', { name: 'Delete route /open/*' }).waitFor();
    await page
      .getByRole('row', { name: /\/open\/\*/ })
      .getByText('refused')
      .waitFor();
    const open = await fetch(`${gw.proxy}/open/x`, { headers: { Origin: 'https://anyone.example.net' } });
    await open.arrayBuffer();
    assert.equal(open.headers.get('access-control-allow-origin'), '*');
    assert.equal(
      (await proxyOrigin('https://anyone.example.net', '/public/x')).status,
      403,
      'the old path is no longer public',
    );
    await page.getByText(/No route matches api\.example\.com\/public\/x/).waitFor();
    await page.getByLabel('URL or path at the gateway').fill('/open/deeper/x');
    await page
      .getByText(/^\/open\/deeper\/x: On any host: Your public route \(priority 5\) applies/)
      .waitFor();
    await page.getByRole('button', { name: 'Delete route /open/*' }).click();
    await page.getByRole('button', { name: 'Delete route /open/*' }).waitFor({ state: 'detached' });
    await page.getByText('Deleted the public route for /open/*: in force at the gateway now.').waitFor();
    await page.getByText(/^\/open\/deeper\/x: On any host: No route matches/).waitFor();
  });

  test('trusted site with the live CSP preview; edit it and see the preview follow', async () => {
    await page.goto(`${gw.admin}/#/sites`);
    await page.getByLabel('Trusted site name').fill('cdn site');
    await page.getByText('Trusted site name: the name may hold letters').waitFor();
    await page.getByLabel('Trusted site name').fill('cdn');
    await page.getByLabel('URL', { exact: true }).fill('https://cdn.example.com');
    await page.getByLabel(/img-src/).check();
    const preview = page.getByTestId('csp-preview');
    await page.waitForFunction(() =>
      document
        .querySelector('[data-testid="csp-preview"]')
        ?.textContent?.includes("img-src 'self' https://cdn.example.com"),
    );
    assert.match(
      await preview.innerText(),
      /connect-src 'self' https:\/\/cdn\.example\.com; font-src 'self';/,
    );
    await page.getByRole('button', { name: 'Add trusted site' }).click();
    await page.getByRole('cell', { name: 'https://cdn.example.com' }).waitFor();
    await page.getByRole('button', { name: 'Edit cdn' }).click();
    await page.getByRole('heading', { name: 'Edit cdn' }).waitFor();
    await page.getByLabel(/font-src/).check();
    await page.getByLabel(/connect-src/).uncheck();
    await page.waitForFunction(() =>
      document
        .querySelector('[data-testid="csp-preview"]')
        ?.textContent?.includes("font-src 'self' https://cdn.example.com"),
    );
    assert.match(
      await preview.innerText(),
      /^Content-Security-Policy: connect-src 'self'; font-src 'self' https:\/\/cdn\.example\.com;/,
    );
    assert.match(await page.locator('#preview-title + p').innerText(), /\d+ bytes/);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('cell', { name: 'font-src, img-src' }).waitFor();
    await page.getByText('Saved the trusted site cdn: the Content-Security-Policy follows now.').waitFor();
    const csp = async () =>
      (
        (await (
          await fetch(`${gw.admin}/api/status`, { headers: { authorization: `Bearer ${TOKEN}` } })
        ).json()) as { csp: string }
      ).csp;
    assert.match(await csp(), /font-src 'self' https:\/\/cdn\.example\.com/);

    // The baseline: shown in the preview, explained when emptied, checked as typed, saved with a notice.
    assert.match(
      await preview.innerText(),
      /style-src 'self'; default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'$/,
    );
    await page.getByText(/corsgate scan finds no high-severity gap in this policy/).waitFor();
    const baseline = page.getByLabel('Baseline', { exact: true });
    await baseline.fill("script-src 'self'; img-src *");
    await page.getByText(/img-src is built from the trusted sites/).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save baseline' }).isDisabled(), true);
    await baseline.fill('');
    const open = page.getByRole('note').filter({ hasText: 'What this policy leaves open' });
    await open.waitFor();
    assert.match(
      await open.innerText(),
      /scripts may load from any site[\s\S]*plugins[\s\S]*<base>[\s\S]*forms may post[\s\S]*clickjacking/,
    );
    await page.getByRole('button', { name: 'Save baseline' }).click();
    await page
      .getByText(
        'Saved an empty CSP baseline: the policy now restricts only the six trusted-site directives.',
      )
      .waitFor();
    assert.doesNotMatch(await csp(), /script-src/);
    await page.getByRole('button', { name: 'Use the default' }).click();
    await page.getByRole('button', { name: 'Save baseline' }).click();
    await page.getByText('Saved the CSP baseline: the Content-Security-Policy carries it now.').waitFor();
    assert.match(await csp(), /; default-src 'self'; script-src 'self'; object-src 'none'/);
  });

  test('header generator: headers, warnings, keyboard tabs and a config to copy', async () => {
    await page.goto(`${gw.admin}/#/generator`);
    await page.getByText('Sample preflight (204)').waitFor();
    assert.match(
      await page.getByLabel('Sample preflight (204): response').innerText(),
      /Access-Control-Allow-Origin: https:\/\/app\.example\.com\nAccess-Control-Allow-Credentials: true/,
    );
    await page.getByRole('tab', { name: 'Express' }).focus();
    await page.keyboard.press('End');
    assert.equal(await page.getByRole('tab', { name: 'nginx' }).getAttribute('aria-selected'), 'true');
    await page.getByRole('button', { name: 'Copy' }).click();
    assert.match(
      await page.evaluate(() => navigator.clipboard.readText()),
      /map \$http_origin \$cors_origin/,
    );
    await page.getByRole('tab', { name: 'nginx' }).press('Home');
    assert.equal(
      await page.evaluate(() => document.activeElement?.textContent),
      'Express',
      'focus follows the selected tab',
    );
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
    await page
      .getByText('Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’', {
        exact: false,
      })
      .first()
      .waitFor();
    await page.getByRole('heading', { name: 'Where Chromium and Firefox differ' }).waitFor();
    await page.getByLabel('Browser').selectOption('chromium');
    await page.getByLabel(/^Case/).fill('{ not json');
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.getByRole('alert').waitFor();
    // A HAR file: the cross-origin request without Access-Control-Allow-Origin is explained.
    const har = {
      log: {
        entries: [
          {
            request: { method: 'GET', url: 'https://app.example.com/', headers: [] },
            response: { status: 200, headers: [] },
          },
          {
            request: {
              method: 'GET',
              url: 'https://api.example.net/me',
              headers: [{ name: 'Origin', value: 'https://app.example.com' }],
            },
            response: { status: 200, headers: [{ name: 'Content-Type', value: 'application/json' }] },
          },
        ],
      },
    };
    const file = join(shots, 'session.har');
    writeFileSync(file, JSON.stringify(har));
    await page.getByLabel('Or load a HAR file').setInputFiles(file);
    await page.waitForFunction(() =>
      (document.getElementById('explain-input') as HTMLTextAreaElement).value.includes('api.example.net/me'),
    );
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.getByText('GET https://api.example.net/me', { exact: true }).waitFor();
    await page
      .getByText(/No 'Access-Control-Allow-Origin' header is present/)
      .first()
      .waitFor();
  });

  test('scan from the console: a loopback target needs the setting; the CLI options; progress, findings, grade and history', async () => {
    const { createServer } = await import('node:http');
    const seen: { origin?: string; cookie?: string }[] = [];
    const reflecting = createServer((req, res) => {
      seen.push({
        ...(req.headers.origin ? { origin: req.headers.origin } : {}),
        ...(req.headers.cookie ? { cookie: req.headers.cookie } : {}),
      });
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
      await page.getByRole('cell', { name: 'No scan yet.' }).waitFor();
      const url = `http://127.0.0.1:${address.port}/api`;
      await page.getByLabel('URL', { exact: true }).fill(url);
      await page.getByRole('button', { name: 'Scan', exact: true }).click();
      await page
        .getByText(
          /127\.0\.0\.1 is not a public address \(loopback\): scans from the gateway may reach it only when the scanTargets setting lists it/,
        )
        .waitFor();
      assert.equal(seen.length, 0, 'nothing was sent');
      await page.getByLabel('Also allowed').fill('127.0.0.1');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('Saved: scans may also reach 127.0.0.1.').waitFor();
      await page.getByText('Options: legitimate origins, resolve, cookie').click();
      await page.getByLabel('Legitimate origins').fill('https://app.example.com');
      await page.getByLabel('Cookie').fill('session=abc123');
      await page.getByRole('button', { name: 'Scan', exact: true }).click();
      await page.getByText(`Scan of ${url} started: the results appear below.`).waitFor();
      await page.getByText('Status: done').waitFor({ timeout: 30_000 });
      await page.getByText(/origins https:\/\/app\.example\.com; with a cookie/).waitFor();
      await page.getByRole('cell', { name: /Any origin is reflected/ }).waitFor();
      await page
        .getByText(/grade [A-F]/)
        .first()
        .waitFor();
      assert.ok(
        seen.some((h) => h.cookie === 'session=abc123') &&
          seen.some((h) => h.origin === 'https://app.example.com'),
        'the options reach the probes',
      );
      const history = page.getByRole('table', { name: 'Recent scans, newest first' });
      await history.getByRole('cell', { name: url, exact: true }).waitFor();
      assert.match(await history.innerText(), /grade [A-F], \d+ CORS findings?/);
      assert.doesNotMatch(await page.locator('main').innerText(), /abc123/, 'the cookie is never shown back');
      await page.reload();
      await history
        .getByRole('button', {
          name: new RegExp(`^Show the scan of ${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`),
        })
        .click();
      await page.getByText('Status: done').waitFor();
      await page.getByRole('cell', { name: /Any origin is reflected/ }).waitFor();
    } finally {
      reflecting.closeAllConnections();
      reflecting.close();
    }
  });

  test('the audit log shows who changed what, with diffs, and filters', async () => {
    await page.goto(`${gw.admin}/#/audit`);
    await page
      .getByRole('cell', { name: /update allowlist/ })
      .first()
      .waitFor();
    const table = page.getByRole('table', { name: 'Audit log entries' });
    const text = await table.innerText();
    assert.match(text, /token:admin \(CORSGATE_ADMIN_TOKEN\)/);
    assert.match(
      text,
      /urlPattern\s+"https:\/\/app\.example\.com" "https:\/\/app2\.example\.com"/,
      'the edit shows before and after',
    );
    assert.match(
      text,
      /update allowlist https:\/\/app2\.example\.com/,
      'entries are named, not shown as ids',
    );
    assert.match(text, /create route public \/public\/\*/);
    assert.match(text, /update trusted-site cdn/);
    assert.doesNotMatch(
      text,
      /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/,
      'no UUID on show',
    );
    await page.getByLabel('Show').selectOption('trusted-site');
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('table[aria-busy="false"] tbody tr')].length > 0 &&
        [...document.querySelectorAll('tbody tr')].every((r) => r.textContent!.includes('trusted-site')),
    );
    await page.getByLabel('Show').selectOption('');
    await page.getByLabel('Containing').fill('imported.example.com');
    await page.waitForFunction(() => [...document.querySelectorAll('tbody tr')].length === 1);
    assert.match(await table.innerText(), /import allowlist/);
  });

  test('a view-setup token sees every page read-only, with its controls disabled, not hidden', async () => {
    const res = await fetch(`${gw.admin}/api/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'auditor', permissions: ['view-setup'] }),
    });
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
      for (const [hash, heading, control] of [
        ['routes', 'Routes & endpoint rules', 'Enable CORS for OAuth endpoints'],
        ['sites', 'Trusted sites (CSP)', 'Trusted site name'],
        ['scan', 'Scan', 'URL'],
        ['tokens', 'Tokens', 'Name'],
      ] as const) {
        await p.goto(`${gw.admin}/#/${hash}`);
        await p.getByRole('heading', { name: heading, exact: true }).waitFor();
        await p
          .getByText(/Read-only: your token can view/)
          .first()
          .waitFor();
        assert.equal(await p.getByLabel(control, { exact: true }).isDisabled(), true, `${hash}: ${control}`);
      }
      const nav = await p.getByRole('navigation', { name: 'Console pages' }).innerText();
      for (const title of [
        'Allowed origins',
        'Routes & endpoint rules',
        'Trusted sites (CSP)',
        'Scan',
        'Audit log',
        'Tokens',
      ])
        assert.ok(nav.includes(title), `${title} stays in the navigation`);
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
      assert.deepEqual(
        calls.filter((c) => c.startsWith('/api/')),
        [],
        'no API call without a token',
      );
      await p.goto(`${gw.admin}/#/origins`);
      await p.getByRole('heading', { name: 'Sign in' }).waitFor();
    } finally {
      await anonymous.close();
    }
  });

  test('screenshots of every page at desktop and phone widths', async () => {
    const pages = ['origins', 'routes', 'sites', 'generator', 'explain', 'scan', 'audit', 'tokens'];
    // The scan page is shown with the results of a scan of a (deliberately misconfigured) local server.
    const { createServer } = await import('node:http');
    const target = createServer((req, res) => {
      if (req.headers.origin) res.setHeader('Access-Control-Allow-Origin', req.headers.origin);
      res.end('{}');
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
    const targetUrl = `http://127.0.0.1:${(target.address() as { port: number }).port}/api`;
    try {
      for (const [label, viewport] of [
        ['desktop', { width: 1280, height: 800 }],
        ['phone', { width: 390, height: 844 }],
      ] as const) {
        await page.setViewportSize(viewport);
        for (const p of pages) {
          await page.goto(`${gw.admin}/#/${p}`);
          await page.locator('main h1').waitFor();
          if (p === 'explain') await page.getByRole('button', { name: 'Explain' }).click();
          if (p === 'scan') {
            await page.getByLabel('URL', { exact: true }).fill(targetUrl);
            await page.getByRole('button', { name: 'Scan', exact: true }).click();
            await page.getByText('Status: done').waitFor({ timeout: 30_000 });
          }
          // Wait for the page's data (lists, previews) rather than an arbitrary delay.
          await page.waitForFunction(
            () =>
              !document.querySelector('[aria-busy="true"]') &&
              !document.querySelector('main [role="status"]')?.textContent?.startsWith('Loading'),
          );
          await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
          // The top of the page down to a fixed depth, so results below the form are in the picture.
          const height = Math.min(
            await page.evaluate(() => document.documentElement.scrollHeight),
            label === 'desktop' ? 1400 : 1700,
          );
          // The change notices at the bottom of the window come and go: dismiss them for the pictures.
          for (const b of await page.getByRole('button', { name: 'Dismiss' }).all()) await b.click();
          await page.screenshot({
            path: join(shots, `${p}-${label}.png`),
            fullPage: true,
            clip: { x: 0, y: 0, width: viewport.width, height },
          });
        }
      }
    } finally {
      target.closeAllConnections();
      target.close();
    }
    assert.deepEqual(pageProblems, [], 'no script error and no CSP violation on any page');
    if (process.env.CORSGATE_UPDATE_SCREENSHOTS === '1') {
      const dest = join(repoRoot(), 'docs', 'screenshots');
      mkdirSync(dest, { recursive: true });
      for (const p of pages)
        for (const label of ['desktop', 'phone'])
          copyFileSync(join(shots, `${p}-${label}.png`), join(dest, `${p}-${label}.png`));
    }
  });
});
