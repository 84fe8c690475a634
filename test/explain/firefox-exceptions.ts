/**
 * Where the Firefox differential does not compare console lines exactly, each with the reason.
 * Verdicts, readable headers and what the servers saw are compared on every case regardless.
 */
export interface ConsoleException {
  reason: string;
  /** The cases (by name, test/explain/cases.ts) it applies to, or every case for a message category. */
  cases?: (name: string) => boolean;
  /** A Firefox message category left out of the comparison. */
  category?: string;
  /** The lines are compared as a set: Firefox's order varies between runs. */
  unordered?: true;
}

export const FIREFOX_CONSOLE_EXCEPTIONS: ConsoleException[] = [
  {
    category: 'malformed-xml',
    reason:
      'XMLHttpRequest parses a response without a Content-Type as XML and logs "XML Parsing Error" for a body that is not XML. ' +
      "That depends on the response body, which explain's input does not carry; the differential's server answers with the text 'body'.",
  },
  {
    cases: (name) => name === 'redirect to data:',
    unordered: true,
    reason:
      'Firefox logs "Redirecting to data: URI not allowed" and the request\'s "CORS request did not succeed" from different places; ' +
      'they reach the console in either order from one run to the next (explain gives the warning first).',
  },
];

/**
 * Page-level messages that name no request: the parser's warnings about the page's own policy, the
 * page's favicon under `default-src 'none'`, cookie warnings for responses that set cookies.
 */
export const FIREFOX_PAGE_CATEGORIES = new Set([
  'CSP_duplicateDirective',
  'CSP_CSPGenericViolation',
  'cookiesCHIPS',
]);
