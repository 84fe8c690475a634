/**
 * The header generator: from a few choices, the exact headers corsgate sends for a sample preflight
 * and a sample request, the mistakes to avoid, and configuration for every adapter, the gateway and
 * nginx. The sample answers come from the engine itself. Pure and browser-safe.
 */
import { createPolicy } from 'corsgate/internal/policy/index.js';
import type { PolicyOptions } from 'corsgate/internal/policy/types.js';
import { configsFor, type Configs } from './configs.js';

export { nginxRegexFor } from './configs.js';
export type { Configs } from './configs.js';

export interface GeneratorInput {
  origins: string[] | '*';
  methods?: string[] | '*';
  requestHeaders?: string[] | '*';
  exposeHeaders?: string[] | '*';
  credentials?: boolean;
  maxAge?: number;
  /** The API is not meant for any website (an internal or authenticated API). */
  privateApi?: boolean;
  /** The origin used for the sample requests (default: derived from the first allowed origin). */
  sampleOrigin?: string;
}

export interface SampleExchange {
  request: { method: string; headers: Record<string, string> };
  status: number;
  headers: Record<string, string>;
}

export interface GeneratorWarning {
  code: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
}

export interface GeneratorOutput {
  policy: PolicyOptions;
  preflight: SampleExchange;
  actual: SampleExchange;
  warnings: GeneratorWarning[];
  configs: Configs;
}

const SAFELISTED = new Set(['GET', 'HEAD', 'POST']);

/** A concrete origin a pattern allows, for the samples. */
function sampleFrom(pattern: string): string {
  return pattern.replace('://*.', '://app.').replace(/:\*$/, '');
}

/** The policy options the choices stand for (empty lists and an unreadable max-age left out). */
function policyOptionsOf(input: GeneratorInput): PolicyOptions {
  const options: PolicyOptions = { origins: input.origins };
  if (input.methods !== undefined && (input.methods === '*' || input.methods.length > 0))
    options.methods = input.methods;
  if (input.requestHeaders !== undefined && (input.requestHeaders === '*' || input.requestHeaders.length > 0))
    options.requestHeaders = input.requestHeaders;
  if (input.exposeHeaders !== undefined && (input.exposeHeaders === '*' || input.exposeHeaders.length > 0))
    options.exposeHeaders = input.exposeHeaders;
  if (input.credentials) options.credentials = true;
  if (input.maxAge !== undefined && !Number.isNaN(input.maxAge)) options.maxAge = input.maxAge;
  return options;
}

/** The notes beside the policy's own warnings: what the choices mean for browsers, caches and servers. */
function choiceNotes(
  input: GeneratorInput,
  options: PolicyOptions,
  listed: string[],
  askHeaders: string[],
): GeneratorWarning[] {
  const warnings: GeneratorWarning[] = [];
  if (input.origins === '*' && input.privateApi) {
    warnings.push({
      code: 'any-origin-private-api',
      severity: 'error',
      message:
        "'*' lets every website on the internet read this API's responses; a private API should list the origins of its own front ends.",
    });
  }
  if (input.origins === '*') {
    warnings.push({
      code: 'any-origin-no-credentials',
      severity: 'info',
      message:
        "With '*' browsers never send cookies or HTTP authentication; to allow credentials, list the origins (a wildcard with credentials is refused, since it would let any site act as your users).",
    });
  } else {
    warnings.push({
      code: 'vary-origin',
      severity: 'info',
      message:
        "The answer depends on the Origin, so every response carries Vary: Origin (corsgate adds it; hand-written configs that echo the origin often forget it, and caches then serve one origin's answer to another).",
    });
  }
  if (listed.length > 0 || askHeaders.length > 0) {
    warnings.push({
      code: 'preflight-options',
      severity: 'info',
      message: `Browsers send an OPTIONS preflight before ${[listed.length ? listed.join('/') : '', askHeaders.length ? 'requests with custom headers' : ''].filter(Boolean).join(' and ')}: your server must answer OPTIONS before authentication and routing (corsgate's adapters do).`,
    });
  }
  if (options.maxAge !== undefined && options.maxAge > 7200) {
    warnings.push({
      code: 'max-age-capped',
      severity: 'info',
      message: `Chromium caches a preflight for at most 7200 s and Safari for 600 s, whatever Max-Age says (${options.maxAge}).`,
    });
  }
  if (input.credentials && options.requestHeaders === '*') {
    warnings.push({
      code: 'credentials-any-header',
      severity: 'info',
      message:
        "With credentials a literal '*' in Access-Control-Allow-Headers means nothing to browsers; corsgate echoes the requested names instead.",
    });
  }
  return warnings;
}

/** Throws the engine's PolicyError (with every problem) when the choices make an invalid policy. */
export function generate(input: GeneratorInput): GeneratorOutput {
  const options = policyOptionsOf(input);
  const policy = createPolicy(options);

  const origin =
    input.sampleOrigin ??
    (input.origins === '*' ? 'https://example.org' : sampleFrom(input.origins[0] ?? 'https://example.org'));
  const listed =
    options.methods === '*' ? ['PUT'] : (options.methods ?? []).filter((m) => !SAFELISTED.has(m));
  const method = listed[0] ?? 'POST';
  const askHeaders =
    options.requestHeaders === '*'
      ? ['content-type']
      : (options.requestHeaders ?? []).map((h) => h.toLowerCase());
  const pfRequest = {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': method,
      ...(askHeaders.length ? { 'Access-Control-Request-Headers': askHeaders.join(',') } : {}),
    },
  };
  const pf = policy.evaluate(pfRequest);
  const actualRequest = { method: 'GET', headers: { Origin: origin } };
  const actual = policy.evaluate(actualRequest);

  const warnings: GeneratorWarning[] = policy.warnings.map((w) => ({
    code: w.code,
    severity: 'warning',
    message: `${w.path ? `${w.path}: ` : ''}${w.message}`,
  }));
  warnings.push(...choiceNotes(input, options, listed, askHeaders));
  return {
    policy: options,
    preflight: { request: pfRequest, status: pf.status ?? 204, headers: { ...pf.headers } },
    actual: { request: actualRequest, status: 200, headers: { ...actual.headers } },
    warnings,
    configs: configsFor(options, { ...pf.headers }),
  };
}
