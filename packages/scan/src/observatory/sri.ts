/**
 * Observatory v6's Subresource Integrity test (mdn/mdn-http-observatory
 * src/analyzer/tests/subresource-integrity.js). A script is external when its registrable domain (the
 * Public Suffix List's, as tldts gives it) differs from the site's; a protocol-relative `//host/x.js`
 * counts as external and not secure, whatever its host, because the page may be fetched over http.
 */
import { getDomain } from 'tldts';
import { isHtml, scripts } from './html.js';
import { outcome, worseOf, type ResultOf, type TestResult } from './scores.js';
import type { GradedResponse } from './types.js';

type Result = ResultOf<'subresource-integrity'>;

/** Best to worst, as the peer ranks them. */
const WORSE: Result[] = [
  'sri-implemented-and-all-scripts-loaded-securely',
  'sri-implemented-and-external-scripts-loaded-securely',
  'sri-implemented-but-external-scripts-not-loaded-securely',
  'sri-not-implemented-but-external-scripts-loaded-securely',
  'sri-not-implemented-and-external-scripts-not-loaded-securely',
  'sri-not-implemented-response-not-html',
];
const PASSING = new Set<Result>([
  'sri-implemented-and-all-scripts-loaded-securely',
  'sri-implemented-and-external-scripts-loaded-securely',
  'sri-not-implemented-response-not-html',
  'sri-not-implemented-but-all-scripts-loaded-from-secure-origin',
  'sri-not-implemented-but-no-scripts-loaded',
]);

export function sriTest(r: GradedResponse): TestResult {
  const name = 'subresource-integrity';
  if (!isHtml(r.headers['content-type']) || r.body === undefined)
    return outcome(name, 'sri-not-implemented-response-not-html', true);
  const page = new URL(r.url);
  const siteDomain = getDomain(page.hostname);
  const all = scripts(r.body);
  if (all.length === 0) return outcome(name, 'sri-not-implemented-but-no-scripts-loaded', true);
  let result: Result | null = null;
  const worse = (res: Result) => (result = worseOf(WORSE, result, res));
  let foreign = false;
  for (const { src, integrity } of all) {
    if (src === null || src === '') continue;
    const protocolRelative = /^\/\/[^/]/.test(src);
    const absolute = /^https?:\/\//i.test(src);
    const relative = !protocolRelative && !absolute;
    const sameSite = relative || protocolRelative || (absolute && getDomain(src) === siteDomain);
    const secureScheme = absolute ? /^https:/i.test(src) : relative && page.protocol === 'https:';
    const signed = integrity !== null && integrity !== '';
    if (relative || (sameSite && !protocolRelative)) {
      // Integrity on a same-site script earns the bonus too.
      if (signed && secureScheme && result === null)
        result = 'sri-implemented-and-all-scripts-loaded-securely';
      continue;
    }
    foreign = true;
    if (signed && !secureScheme) worse('sri-implemented-but-external-scripts-not-loaded-securely');
    else if (!signed && secureScheme) worse('sri-not-implemented-but-external-scripts-loaded-securely');
    else if (!signed) worse('sri-not-implemented-and-external-scripts-not-loaded-securely');
  }
  const final: Result =
    result ??
    (foreign
      ? 'sri-implemented-and-external-scripts-loaded-securely'
      : 'sri-not-implemented-but-all-scripts-loaded-from-secure-origin');
  return outcome(name, final, PASSING.has(final));
}
