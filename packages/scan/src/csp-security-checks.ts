/**
 * CSP Evaluator's security checks (checks/security_checks.ts): each reads the policy as a CSP3
 * browser enforces it and returns its findings.
 */
import { hostOfSource, isSchemeSource, HASH_SOURCE, NONCE_SOURCE } from 'corsgate/internal/csp/parse.js';
import { ANGULAR_URLS, FLASH_URLS, JSONP_NEEDS_EVAL, JSONP_URLS } from './csp-bypasses.js';
import {
  finding,
  governing,
  schemeFree,
  SCRIPT_DIRECTIVES,
  XSS_DIRECTIVES,
  type CheckFinding,
  type CspCheck,
} from './csp-check-model.js';

export const checkScriptUnsafeInline: CspCheck = ({ effective }) =>
  governing(effective, SCRIPT_DIRECTIVES).flatMap((d) => {
    const values = effective.get(d)!;
    return [
      ...(values.includes("'unsafe-inline'")
        ? [
            finding(
              'SCRIPT_UNSAFE_INLINE',
              'HIGH',
              d,
              "'unsafe-inline' allows the execution of unsafe in-page scripts and event handlers.",
              "'unsafe-inline'",
            ),
          ]
        : []),
      ...(values.includes("'unsafe-hashes'")
        ? [
            finding(
              'SCRIPT_UNSAFE_HASHES',
              'MEDIUM_MAYBE',
              d,
              "'unsafe-hashes' still runs the in-page event handlers whose hashes the policy lists: move them into script files if possible.",
              "'unsafe-hashes'",
            ),
          ]
        : []),
    ];
  });

export const checkScriptUnsafeEval: CspCheck = ({ effective }) =>
  governing(effective, SCRIPT_DIRECTIVES)
    .filter((d) => effective.get(d)!.includes("'unsafe-eval'"))
    .map((d) =>
      finding(
        'SCRIPT_UNSAFE_EVAL',
        'MEDIUM_MAYBE',
        d,
        "'unsafe-eval' allows the execution of code injected into DOM APIs such as eval().",
        "'unsafe-eval'",
      ),
    );

export const checkPlainUrlSchemes: CspCheck = ({ effective }) =>
  governing(effective, XSS_DIRECTIVES).flatMap((d) =>
    effective
      .get(d)!
      .filter((v) => v === 'data:' || v === 'http:' || v === 'https:')
      .map((v) =>
        finding(
          'PLAIN_URL_SCHEMES',
          'HIGH',
          d,
          `${v} URI in ${d} allows the execution of unsafe scripts.`,
          v,
        ),
      ),
  );

/** `*`, `http://*`, `https://*` and `//*` all mean any host. */
export const checkWildcards: CspCheck = ({ effective }) =>
  governing(effective, XSS_DIRECTIVES).flatMap((d) =>
    effective
      .get(d)!
      .filter((v) => schemeFree(v) === '*')
      .map((v) => finding('PLAIN_WILDCARD', 'HIGH', d, `${d} should not allow '*' as source`, v)),
  );

export const checkMissingDirectives: CspCheck = ({ effective }) => {
  const out: CheckFinding[] = [];
  const objects = effective.get('object-src') ?? effective.get('default-src');
  if (!objects?.length)
    out.push(
      finding(
        'MISSING_DIRECTIVES',
        'HIGH',
        'object-src',
        "Missing object-src allows the injection of plugins which can execute JavaScript. Can you set it to 'none'?",
      ),
    );
  if (!effective.has('script-src') && !effective.has('default-src'))
    out.push(finding('MISSING_DIRECTIVES', 'HIGH', 'script-src', 'script-src directive is missing.'));
  // A base tag can point relative script URLs at an attacker: it defeats nonces, and hashes with 'strict-dynamic'.
  const script = effective.get(governing(effective, ['script-src'])[0] ?? '') ?? [];
  const nonces = script.some((v) => NONCE_SOURCE.test(v));
  const hashes = script.some((v) => HASH_SOURCE.test(v));
  if ((nonces || (hashes && script.includes("'strict-dynamic'"))) && !effective.has('base-uri')) {
    out.push(
      finding(
        'MISSING_DIRECTIVES',
        'HIGH',
        'base-uri',
        "Missing base-uri allows the injection of base tags. They can be used to set the base URL for all relative (script) URLs to an attacker controlled domain. Can you set it to 'none' or 'self'?",
      ),
    );
  }
  return out;
};

/** The first listed URL a source expression allows (CSP3 §6.7.2.8 host and §6.7.2.10 path matching). */
function firstAllowed(source: string, urls: readonly string[]): URL | null {
  const m = /^(\*\.)?([^/:]+)(?::[^/]*)?(\/.*)?$/.exec(schemeFree(source).toLowerCase());
  if (!m) return null;
  const [, wildcard, host, path] = m;
  for (const raw of urls) {
    const url = new URL(`https:${raw}`);
    const domain = url.hostname;
    if (wildcard ? !domain.endsWith(`.${host}`) : domain !== host) continue;
    if (
      path !== undefined &&
      path !== '/' &&
      (path.endsWith('/') ? !url.pathname.startsWith(path) : url.pathname !== path)
    )
      continue;
    return url;
  }
  return null;
}

/** Allowlisted script hosts: HIGH when a known JSONP endpoint or AngularJS copy lives there. */
export const checkScriptAllowlistBypass: CspCheck = ({ effective }) =>
  governing(effective, ['script-src', 'script-src-elem']).flatMap((d) => {
    const values = effective.get(d)!;
    if (values.includes("'none'")) return [];
    return values.flatMap((v): CheckFinding[] => {
      if (v === "'self'")
        return [
          finding(
            'SCRIPT_ALLOWLIST_BYPASS',
            'MEDIUM_MAYBE',
            d,
            "'self' can be problematic if you host JSONP, AngularJS or user uploaded files.",
            v,
          ),
        ];
      if (v.startsWith("'") || isSchemeSource(v) || !v.includes('.')) return [];
      const angular = firstAllowed(v, ANGULAR_URLS);
      let jsonp = firstAllowed(v, JSONP_URLS);
      if (jsonp && JSONP_NEEDS_EVAL.includes(jsonp.hostname) && !values.includes("'unsafe-eval'"))
        jsonp = null;
      if (!jsonp && !angular)
        return [
          finding(
            'SCRIPT_ALLOWLIST_BYPASS',
            'MEDIUM_MAYBE',
            d,
            "No bypass found; make sure that this URL doesn't serve JSONP replies or Angular libraries.",
            v,
          ),
        ];
      const what = [jsonp ? 'JSONP endpoints' : '', angular ? 'Angular libraries' : '']
        .filter(Boolean)
        .join(' and ');
      return [
        finding(
          'SCRIPT_ALLOWLIST_BYPASS',
          'HIGH',
          d,
          `${(angular ?? jsonp)!.hostname} is known to host ${what} which allow bypassing this CSP.`,
          v,
        ),
      ];
    });
  });

/** Allowlisted plugin hosts: HIGH for a known Flash bypass; otherwise ask for object-src 'none'. */
export const checkFlashObjectAllowlistBypass: CspCheck = ({ effective }) => {
  const d = governing(effective, ['object-src'])[0];
  const values = d === undefined ? [] : effective.get(d)!;
  const pluginTypes = effective.get('plugin-types');
  if (pluginTypes && !pluginTypes.includes('application/x-shockwave-flash')) return [];
  if (values.includes("'none'")) return [];
  return values.flatMap((v): CheckFinding[] => {
    const flash = firstAllowed(v, FLASH_URLS);
    if (flash)
      return [
        finding(
          'OBJECT_ALLOWLIST_BYPASS',
          'HIGH',
          d!,
          `${flash.hostname} is known to host Flash files which allow bypassing this CSP.`,
          v,
        ),
      ];
    return d === 'object-src'
      ? [
          finding(
            'OBJECT_ALLOWLIST_BYPASS',
            'MEDIUM_MAYBE',
            d,
            "Can you restrict object-src to 'none' only?",
            v,
          ),
        ]
      : [];
  });
};

/** IPv4 literals, and anything bracketed (IPv6), in any directive. */
export const checkIpSource: CspCheck = ({ effective }) =>
  [...effective].flatMap(([d, values]) =>
    values.flatMap((v) => {
      const host = hostOfSource(v);
      if (host === null || !(/^\[.*\]$/.test(host) || /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)))
        return [];
      return [
        host === '127.0.0.1'
          ? finding('IP_SOURCE', 'INFO', d, `${d} allows localhost as a source: remove it in production.`, v)
          : finding(
              'IP_SOURCE',
              'INFO',
              d,
              `${d} has an IP address as a source (${host}): browsers ignore it.`,
              v,
            ),
      ];
    }),
  );

export const checkNonceLength: CspCheck = ({ effective }) =>
  [...effective].flatMap(([d, values]) =>
    values.flatMap((v) => {
      const nonce = /^'nonce-(.+)'$/.exec(v);
      if (!nonce) return [];
      return [
        ...(nonce[1]!.length < 8
          ? [finding('NONCE_LENGTH', 'MEDIUM', d, 'Nonces should be at least 8 characters long.', v)]
          : []),
        ...(!NONCE_SOURCE.test(v)
          ? [finding('NONCE_CHARSET', 'INFO', d, 'Nonces should only use the base64 charset.', v)]
          : []),
      ];
    }),
  );

/** Any http:// source, and an http:// report-uri (reports then travel in clear). */
export const checkSrcHttp: CspCheck = ({ effective }) =>
  [...effective].flatMap(([d, values]) =>
    values
      .filter((v) => /^http:\/\//i.test(v))
      .map((v) =>
        finding(
          'SRC_HTTP',
          'MEDIUM',
          d,
          d === 'report-uri'
            ? 'Use HTTPS to send violation reports securely.'
            : 'Allow only resources downloaded over HTTPS.',
          v,
        ),
      ),
  );
