/**
 * What the browser does to a request before anything is sent: method normalisation, forbidden
 * headers dropped, and the CORS-unsafe request-header names that decide a preflight
 * (Fetch #concept-method-normalize, #forbidden-request-header, #cors-safelisted-request-header,
 * #cors-unsafe-request-header-names).
 */
import { isForbiddenMethod, isForbiddenRequestHeaderName } from 'corsgate/internal/http/names.js';
import {
  byteLength,
  hasCorsUnsafeByte,
  mimeEssence,
  parseSingleRange,
  type HeaderList,
} from 'corsgate/internal/http/headers.js';
import { CHROMIUM, specVariant, type SafelistRules } from './browsers.js';

export { isForbiddenMethod, isSafelistedMethod, normalizeMethod } from 'corsgate/internal/http/names.js';

const METHOD_OVERRIDE = new Set(['x-http-method', 'x-http-method-override', 'x-method-override']);

/** #forbidden-request-header: script cannot set these; the Headers guard drops them silently. */
export function isForbiddenRequestHeader(name: string, value: string): boolean {
  const n = name.toLowerCase();
  if (isForbiddenRequestHeaderName(n)) return true;
  if (METHOD_OVERRIDE.has(n)) return value.split(',').some((m) => isForbiddenMethod(m.trim()));
  return false;
}

const LANGUAGE_VALUE = /^[0-9A-Za-z *,\-.;=]*$/;
const SAFE_CONTENT_TYPES = new Set([
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
]);

/** Chromium's extra safelisted names (client hints), each with its value rule (services/network cors.cc). */
const CHROMIUM_EXTRA: Record<string, (v: string) => boolean> = {
  dpr: (v) => /^\d+(\.\d+)?$/.test(v),
  'device-memory': (v) => /^\d+(\.\d+)?$/.test(v),
  width: (v) => /^\d+$/.test(v),
  'viewport-width': (v) => /^\d+$/.test(v),
  rtt: (v) => /^\d+$/.test(v),
  downlink: (v) => /^\d+(\.\d+)?$/.test(v),
  ect: (v) => ['slow-2g', '2g', '3g', '4g'].includes(v),
  'save-data': (v) => v === 'on',
  intervention: () => true,
};

const SPEC_RULES = specVariant(CHROMIUM).safelist;

/** `true` stands for the Standard's rules, `false` for Chromium's. */
function rulesOf(rules: SafelistRules | boolean): SafelistRules {
  return typeof rules === 'boolean' ? (rules ? SPEC_RULES : CHROMIUM.safelist) : rules;
}

/** #cors-unsafe-request-header-byte, and any byte from 0x80 where the browser refuses those too. */
function hasUnsafeByte(value: string, rules: SafelistRules): boolean {
  // eslint-disable-next-line no-control-regex -- the range starts at NUL on purpose: any byte outside ASCII
  return hasCorsUnsafeByte(value) || (rules.nonAsciiUnsafe && /[^\x00-\x7f]/.test(value));
}

/** #cors-safelisted-request-header, with the browser's own additions (Chromium's client hints). */
export function isCorsSafelistedRequestHeader(
  name: string,
  value: string,
  given: SafelistRules | boolean,
): boolean {
  const rules = rulesOf(given);
  if (byteLength(value) > 128) return false;
  const n = name.toLowerCase();
  switch (n) {
    case 'accept':
      return !hasUnsafeByte(value, rules);
    case 'accept-language':
    case 'content-language':
      return LANGUAGE_VALUE.test(value);
    case 'content-type': {
      if (hasUnsafeByte(value, rules)) return false;
      const essence = mimeEssence(value);
      return essence !== null && SAFE_CONTENT_TYPES.has(essence);
    }
    case 'range': {
      const r = parseSingleRange(value);
      return r !== null && r.start !== null;
    }
    default: {
      if (!rules.clientHints) return false;
      const rule = CHROMIUM_EXTRA[n];
      return rule !== undefined && value !== '' && rule(value);
    }
  }
}

/** The no-CORS-safelisted request headers (what survives in a `no-cors` request). */
export function isNoCorsSafelistedRequestHeader(name: string, value: string): boolean {
  const n = name.toLowerCase();
  if (n !== 'accept' && n !== 'accept-language' && n !== 'content-language' && n !== 'content-type')
    return false;
  return isCorsSafelistedRequestHeader(n, value, SPEC_RULES);
}

/**
 * #cors-unsafe-request-header-names. Returns the unsafe names lower-cased in request order (the
 * order Chromium checks them in) and as the sorted set the preflight sends.
 * Chromium judges a repeated header on its combined value (`a, b`), as the network request carries
 * it; the Standard judges each entry of the header list on its own.
 */
export function corsUnsafeRequestHeaderNames(
  headers: HeaderList,
  given: SafelistRules | boolean,
): { inOrder: string[]; sorted: string[] } {
  const rules = rulesOf(given);
  const unsafe: string[] = [];
  const potentially: string[] = [];
  let safelistValueSize = 0;
  for (const [name, value] of rules.combineRepeated ? combine(headers) : headers) {
    const n = name.toLowerCase();
    if (!isCorsSafelistedRequestHeader(n, value, rules)) unsafe.push(n);
    else {
      potentially.push(n);
      safelistValueSize += byteLength(value);
    }
  }
  if (rules.totalLimit && safelistValueSize > 1024) unsafe.push(...potentially);
  const inOrder = rules.dedupe ? [...new Set(unsafe)] : unsafe;
  const sorted = [...inOrder].sort();
  return { inOrder, sorted };
}

/**
 * Where a browser's safelisting departs from the Standard for these headers (the ids of
 * browsers.ts's DEPARTURES): which of its own rules made a name safe or unsafe that the Standard
 * judges otherwise.
 */
export function safelistDepartures(headers: HeaderList, rules: SafelistRules): string[] {
  const own = new Set(corsUnsafeRequestHeaderNames(headers, rules).inOrder);
  const standard = new Set(corsUnsafeRequestHeaderNames(headers, SPEC_RULES).inOrder);
  const out = new Set<string>();
  for (const n of standard) {
    if (own.has(n)) continue;
    out.add(
      rules.clientHints && n in CHROMIUM_EXTRA
        ? 'client-hints'
        : rules.combineRepeated
          ? 'combine-repeated'
          : 'no-total-limit',
    );
  }
  for (const n of own) if (!standard.has(n)) out.add(rules.nonAsciiUnsafe ? 'non-ascii' : 'combine-repeated');
  const ownNames = corsUnsafeRequestHeaderNames(headers, rules).inOrder;
  if (ownNames.length > own.size) out.add('repeated-names');
  return [...out];
}

/** One entry per name (case-insensitive), its values joined with ", ", in first-seen order. */
function combine(headers: HeaderList): [string, string][] {
  const byName = new Map<string, [string, string]>();
  for (const [name, value] of headers) {
    const entry = byName.get(name.toLowerCase());
    if (entry) entry[1] = `${entry[1]}, ${value}`;
    else byName.set(name.toLowerCase(), [name, value]);
  }
  return [...byName.values()];
}
