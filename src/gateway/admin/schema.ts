/**
 * The admin API's request-body schemas (a JSON Schema subset) and the validator that enforces them.
 * The same objects are published in /api/openapi.json, so the document and the checks cannot drift.
 */
import { MAX_LISTED_PROBLEMS } from './http.js';

export type Schema =
  | { type: 'string'; minLength?: number; maxLength?: number; enum?: readonly string[]; pattern?: string; format?: FormatName; description?: string }
  | { type: 'boolean'; description?: string }
  | { type: 'integer'; minimum?: number; maximum?: number; description?: string }
  | { type: 'array'; items: Schema; maxItems?: number; minItems?: number; description?: string }
  | { type: 'object'; properties: Record<string, Schema>; required?: readonly string[]; additionalProperties: false; description?: string }
  /** One of a few shapes (a list or `'*'`): the value must fit one; the problems shown are the closest shape's. */
  | { type?: undefined; anyOf: readonly Schema[]; description?: string };

export interface BodyProblem {
  code: string;
  field: string;
  message: string;
}


/**
 * String formats the validator knows (published as JSON Schema `format`). `host-pattern` is what
 * route matching accepts (src/gateway/routes.ts): `*`, a host name, `*.` and a domain (any
 * subdomain), an IPv4 address or a bracketed IPv6 literal; no port, no trailing dot (RFC 1123 §2.1
 * names, RFC 1035 §2.3.4 lengths).
 */
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST_PATTERN = new RegExp(`^(?:\\*\\.)?${LABEL}(?:\\.${LABEL})*$|^\\[[0-9a-f:.]+\\]$|^\\*$`, 'i');
const FORMATS = {
  'host-pattern': {
    test: (v: string) => HOST_PATTERN.test(v),
    message: (where: string, v: string) =>
      /:\d+$/.test(v) && !v.startsWith('[')
        ? `${where} must be a host without a port (the route matches every port of a host)`
        : v.endsWith('.')
          ? `${where} must not end with a dot: write ${v.replace(/\.+$/, '')}`
          : `${where} must be a host name (api.example.com), *.example.com for its subdomains, an IP address, or * for any host`,
  },
} as const;
type FormatName = keyof typeof FORMATS;

const PERMISSION = { type: 'string', enum: ['view-setup', 'customize-application', 'modify-all-data'] } as const;
/** A list of names, or `'*'` for any (the engine's own shape for methods and header lists). */
const NAMES_OR_ANY = (description: string) =>
  ({ anyOf: [{ type: 'string', enum: ['*'] }, { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 100 } }], description }) as const;
const ORIGIN_LIST = { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 2048 } } as const;
const HOST_LIST = { type: 'array', items: { type: 'string', minLength: 1, maxLength: 255, format: 'host-pattern' }, maxItems: 1000 } as const;

export const SCHEMAS = {
  AllowlistInput: {
    type: 'object',
    properties: {
      urlPattern: { type: 'string', minLength: 1, maxLength: 255, description: 'Origin URL pattern, e.g. https://*.example.com' },
      description: { type: 'string', maxLength: 255 },
    },
    required: ['urlPattern'],
    additionalProperties: false,
  },
  AllowlistBulkInput: {
    type: 'object',
    properties: {
      items: {
        type: 'array',
        maxItems: 10_000,
        items: {
          type: 'object',
          properties: { urlPattern: { type: 'string', maxLength: 255 }, description: { type: 'string', maxLength: 255 } },
          required: ['urlPattern'],
          additionalProperties: false,
        },
      },
    },
    required: ['items'],
    additionalProperties: false,
  },
  TrustedSiteInput: {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 80 },
      endpointUrl: { type: 'string', minLength: 1, maxLength: 255 },
      context: { type: 'string', enum: ['All', 'LEX', 'Communities', 'FieldServiceMobileExtension', 'VisualForce', 'LightningOut'] },
      isActive: { type: 'boolean' },
      description: { type: 'string', maxLength: 255 },
      isApplicableToConnectSrc: { type: 'boolean' },
      isApplicableToFontSrc: { type: 'boolean' },
      isApplicableToFrameSrc: { type: 'boolean' },
      isApplicableToImgSrc: { type: 'boolean' },
      isApplicableToMediaSrc: { type: 'boolean' },
      isApplicableToStyleSrc: { type: 'boolean' },
      reportOnly: { type: 'boolean', description: 'Trust the site in Content-Security-Policy-Report-Only only, to see its effect before enforcing it' },
    },
    required: ['name', 'endpointUrl'],
    additionalProperties: false,
  },
  RouteInput: {
    type: 'object',
    properties: {
      kind: { type: 'string', enum: ['public', 'allowlist', 'opt-in', 'closed'] },
      hosts: HOST_LIST,
      paths: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 2048, pattern: '^(/|\\*$)' } },
      setting: { type: 'string', minLength: 1, maxLength: 100 },
      csp: { type: 'boolean' },
      websocket: { type: 'boolean', description: 'false: refuse every WebSocket handshake on this route (default: decided by its regime, like CORS)' },
      upstream: { type: 'string', minLength: 1, maxLength: 2048, description: "absolute http(s) URL this route forwards to instead of the gateway's --upstream" },
      priority: { type: 'integer', minimum: -1_000_000, maximum: 999_999 },
      description: { type: 'string', maxLength: 255 },
      mode: { type: 'string', enum: ['enforce', 'report-only'], description: "Overrides the mode setting on this route" },
    },
    required: ['kind', 'paths'],
    additionalProperties: false,
  },
  SettingsInput: {
    type: 'object',
    properties: {
      corsForOAuthEndpoints: { type: 'boolean', description: "Salesforce's Enable CORS for OAuth endpoints" },
      refusedStatus: { type: 'integer', minimum: 400, maximum: 499 },
      oauthPreset: { type: 'boolean', description: "Apply Salesforce's OAuth endpoint routes" },
      myDomainHosts: HOST_LIST,
      experienceCloudHosts: HOST_LIST,
      cspOnDefaultRoute: { type: 'boolean' },
      cspBaseline: { type: 'string', maxLength: 2048, description: "The CSP's directives besides the six trusted sites widen, e.g. script-src 'self'; object-src 'none' ('' for none)" },
      scanTargets: {
        type: 'array',
        maxItems: 100,
        items: { type: 'string', minLength: 1, maxLength: 255 },
        description: 'Non-public addresses scans may reach besides the upstream and the proxy: IPs, CIDR ranges, host names, *.domain, * (changing it needs modify-all-data)',
      },
      publicOrigins: { ...ORIGIN_LIST, description: "The gateway's own origins as browsers see them; a request with one of them as Origin is same-origin (changing it needs modify-all-data)" },
      methods: NAMES_OR_ANY("Methods of the allowlist regime, or '*'"),
      requestHeaders: NAMES_OR_ANY("Request headers a preflight may ask for, or '*' (each checked, then echoed)"),
      exposeHeaders: NAMES_OR_ANY('Response headers scripts of allowed origins may read (Access-Control-Expose-Headers)'),
      maxAge: { type: 'integer', minimum: 0, maximum: 86400, description: 'Access-Control-Max-Age of an allowed preflight, in seconds' },
      credentials: { type: 'boolean', description: 'Access-Control-Allow-Credentials: true for allowed origins' },
      mode: { type: 'string', enum: ['enforce', 'report-only'], description: 'enforce (default), or report-only: forward every request untouched and record what corsgate would have done' },
    },
    additionalProperties: false,
  },
  TokenInput: {
    type: 'object',
    properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, permissions: { type: 'array', minItems: 1, maxItems: 3, items: PERMISSION } },
    required: ['name', 'permissions'],
    additionalProperties: false,
  },
  ScanInput: {
    type: 'object',
    properties: {
      url: { type: 'string', minLength: 1, maxLength: 2048 },
      origins: { type: 'array', maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 2048 }, description: "Legitimate origins (corsgate scan's --origin)" },
      resolve: { type: 'array', maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 300 }, description: "host:port:address entries (corsgate scan's --resolve)" },
      cookie: { type: 'string', maxLength: 8192, description: 'Cookie header sent with every probe; never stored or shown' },
    },
    required: ['url'],
    additionalProperties: false,
  },
} as const satisfies Record<string, Schema>;

export type SchemaName = keyof typeof SCHEMAS;

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number' && Number.isInteger(v)) return 'integer';
  return typeof v;
}

/** The problems of one body: the first MAX_LISTED_PROBLEMS in full, the others only counted. */
export interface Validation {
  problems: BodyProblem[];
  total: number;
}

class Collector implements Validation {
  readonly problems: BodyProblem[] = [];
  total = 0;
  /** `message` is built only for a problem that is listed. */
  add(code: string, field: string, message: () => string): void {
    if (this.total++ < MAX_LISTED_PROBLEMS) this.problems.push({ code, field, message: message() });
  }
}

const compiled = new Map<string, RegExp>();
function regexOf(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) compiled.set(pattern, (re = new RegExp(pattern)));
  return re;
}

function join(field: string, key: string): string {
  return field ? `${field}.${key}` : key;
}

/**
 * Checks a value against a schema. Only own properties count: `__proto__`, `constructor`,
 * `toString` and the like are unknown fields like any other. Sizes are checked before contents: an
 * array over `maxItems` is refused without looking at its items, and a string over `maxLength`
 * without matching its pattern, so the work stays proportional to what the schema allows.
 */
export function checkBody(schema: Schema, value: unknown, field = ''): Validation {
  const out = new Collector();
  walk(schema, value, field, out);
  return out;
}

/** The listed problems of `checkBody` (at most MAX_LISTED_PROBLEMS). */
export function validate(schema: Schema, value: unknown, field = ''): BodyProblem[] {
  return checkBody(schema, value, field).problems;
}

function walk(schema: Schema, value: unknown, field: string, out: Collector): void {
  if (schema.type === undefined) return walkAny(schema.anyOf, value, field, out);
  const where = field || 'body';
  const wrongType = (expected: string) => out.add('body-wrong-type', where, () => `${where} must be ${expected}, not ${typeName(value)}`);
  switch (schema.type) {
    case 'object': {
      if (typeName(value) !== 'object') return wrongType('an object');
      const obj = value as Record<string, unknown>;
      const props = schema.properties as Record<string, Schema>;
      for (const key of Object.keys(obj)) {
        if (!Object.hasOwn(props, key)) out.add('body-unknown-field', join(field, key), () => `unknown field '${key}' (allowed: ${Object.keys(props).join(', ')})`);
      }
      for (const key of schema.required ?? []) {
        if (!Object.hasOwn(obj, key)) out.add('body-missing-field', join(field, key), () => `the field '${key}' is required`);
      }
      for (const [key, sub] of Object.entries(props)) {
        if (Object.hasOwn(obj, key)) walk(sub, obj[key], join(field, key), out);
      }
      return;
    }
    case 'array': {
      if (!Array.isArray(value)) return wrongType('an array');
      if (schema.maxItems !== undefined && value.length > schema.maxItems)
        return out.add('body-too-many-items', where, () => `${where} may hold at most ${schema.maxItems} items, not ${value.length}`);
      if (schema.minItems !== undefined && value.length < schema.minItems) out.add('body-too-few-items', where, () => `${where} needs at least ${schema.minItems} item(s)`);
      for (let i = 0; i < value.length; i++) walk(schema.items, value[i], `${where}[${i}]`, out);
      return;
    }
    case 'string': {
      if (typeof value !== 'string') return wrongType('a string');
      if (schema.maxLength !== undefined && value.length > schema.maxLength)
        return out.add('body-too-long', where, () => `${where} is longer than ${schema.maxLength} characters`);
      if (schema.minLength !== undefined && value.length < schema.minLength) return out.add('body-too-short', where, () => `${where} must not be empty`);
      if (schema.enum && !schema.enum.includes(value)) out.add('body-not-allowed-value', where, () => `${where} must be one of: ${schema.enum!.join(', ')}`);
      if (schema.pattern && !regexOf(schema.pattern).test(value)) out.add('body-bad-format', where, () => `${where} must match ${schema.pattern}`);
      if (schema.format && !FORMATS[schema.format].test(value)) out.add('body-bad-format', where, () => FORMATS[schema.format!].message(where, value));
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') wrongType('a boolean');
      return;
    case 'integer':
      if (typeName(value) !== 'integer') return wrongType('an integer');
      if ((schema.minimum !== undefined && (value as number) < schema.minimum) || (schema.maximum !== undefined && (value as number) > schema.maximum))
        out.add('body-out-of-range', where, () => `${where} must be between ${schema.minimum} and ${schema.maximum}`);
      return;
  }
}

/** Fits one of `shapes`; otherwise the problems of the shape of the same JSON type (else of the last). */
function walkAny(shapes: readonly Schema[], value: unknown, field: string, out: Collector): void {
  const tries = shapes.map((s) => checkBody(s, value, field));
  if (tries.some((t) => t.total === 0)) return;
  const same = shapes.findIndex((s) => s.type === typeName(value) || (s.type === 'integer' && typeof value === 'number'));
  const closest = tries[same === -1 ? tries.length - 1 : same]!;
  for (const p of closest.problems) out.add(p.code, p.field, () => p.message);
}
