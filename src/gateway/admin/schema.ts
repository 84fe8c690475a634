/**
 * The admin API's request-body schemas (a JSON Schema subset; validate.ts enforces them).
 * The same objects are published in /api/openapi.json, so the document and the checks cannot drift.
 */
import type { Schema } from './validate.js';

export { checkBody, validate, type BodyProblem, type Schema, type Validation } from './validate.js';

const PERMISSION = {
  type: 'string',
  enum: ['view-setup', 'customize-application', 'modify-all-data'],
} as const;
/** A list of names, or `'*'` for any (the engine's own shape for methods and header lists). */
const NAMES_OR_ANY = (description: string) =>
  ({
    anyOf: [
      { type: 'string', enum: ['*'] },
      { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 100 } },
    ],
    description,
  }) as const;
const ORIGIN_LIST = {
  type: 'array',
  maxItems: 100,
  items: { type: 'string', minLength: 1, maxLength: 2048 },
} as const;
const HOST_LIST = {
  type: 'array',
  items: { type: 'string', minLength: 1, maxLength: 255, format: 'host-pattern' },
  maxItems: 1000,
} as const;

export const SCHEMAS = {
  AllowlistInput: {
    type: 'object',
    properties: {
      urlPattern: {
        type: 'string',
        minLength: 1,
        maxLength: 255,
        description: 'Origin URL pattern, e.g. https://*.example.com',
      },
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
          properties: {
            urlPattern: { type: 'string', maxLength: 255 },
            description: { type: 'string', maxLength: 255 },
          },
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
      context: {
        type: 'string',
        enum: ['All', 'LEX', 'Communities', 'FieldServiceMobileExtension', 'VisualForce', 'LightningOut'],
      },
      isActive: { type: 'boolean' },
      description: { type: 'string', maxLength: 255 },
      isApplicableToConnectSrc: { type: 'boolean' },
      isApplicableToFontSrc: { type: 'boolean' },
      isApplicableToFrameSrc: { type: 'boolean' },
      isApplicableToImgSrc: { type: 'boolean' },
      isApplicableToMediaSrc: { type: 'boolean' },
      isApplicableToStyleSrc: { type: 'boolean' },
      reportOnly: {
        type: 'boolean',
        description:
          'Trust the site in Content-Security-Policy-Report-Only only, to see its effect before enforcing it',
      },
    },
    required: ['name', 'endpointUrl'],
    additionalProperties: false,
  },
  RouteInput: {
    type: 'object',
    properties: {
      kind: { type: 'string', enum: ['public', 'allowlist', 'opt-in', 'closed'] },
      hosts: HOST_LIST,
      paths: {
        type: 'array',
        minItems: 1,
        maxItems: 1000,
        items: { type: 'string', minLength: 1, maxLength: 2048, pattern: '^(/|\\*$)' },
      },
      setting: { type: 'string', minLength: 1, maxLength: 100 },
      csp: { type: 'boolean' },
      websocket: {
        type: 'boolean',
        description:
          'false: refuse every WebSocket handshake on this route (default: decided by its regime, like CORS)',
      },
      upstream: {
        type: 'string',
        minLength: 1,
        maxLength: 2048,
        description: "absolute http(s) URL this route forwards to instead of the gateway's --upstream",
      },
      priority: { type: 'integer', minimum: -1_000_000, maximum: 999_999 },
      description: { type: 'string', maxLength: 255 },
      mode: {
        type: 'string',
        enum: ['enforce', 'report-only'],
        description: 'Overrides the mode setting on this route',
      },
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
      cspBaseline: {
        type: 'string',
        maxLength: 2048,
        description:
          "The CSP's directives besides the six trusted sites widen, e.g. script-src 'self'; object-src 'none' ('' for none)",
      },
      scanTargets: {
        type: 'array',
        maxItems: 100,
        items: { type: 'string', minLength: 1, maxLength: 255 },
        description:
          'Non-public addresses scans may reach besides the upstream and the proxy: IPs, CIDR ranges, host names, *.domain, * (changing it needs modify-all-data)',
      },
      publicOrigins: {
        ...ORIGIN_LIST,
        description:
          "The gateway's own origins as browsers see them; a request with one of them as Origin is same-origin (changing it needs modify-all-data)",
      },
      methods: NAMES_OR_ANY("Methods of the allowlist regime, or '*'"),
      requestHeaders: NAMES_OR_ANY(
        "Request headers a preflight may ask for, or '*' (each checked, then echoed)",
      ),
      exposeHeaders: NAMES_OR_ANY(
        'Response headers scripts of allowed origins may read (Access-Control-Expose-Headers)',
      ),
      maxAge: {
        type: 'integer',
        minimum: 0,
        maximum: 86400,
        description: 'Access-Control-Max-Age of an allowed preflight, in seconds',
      },
      credentials: {
        type: 'boolean',
        description: 'Access-Control-Allow-Credentials: true for allowed origins',
      },
      mode: {
        type: 'string',
        enum: ['enforce', 'report-only'],
        description:
          'enforce (default), or report-only: forward every request untouched and record what corsgate would have done',
      },
    },
    additionalProperties: false,
  },
  TokenInput: {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 100 },
      permissions: { type: 'array', minItems: 1, maxItems: 3, items: PERMISSION },
    },
    required: ['name', 'permissions'],
    additionalProperties: false,
  },
  ScanInput: {
    type: 'object',
    properties: {
      url: { type: 'string', minLength: 1, maxLength: 2048 },
      origins: {
        type: 'array',
        maxItems: 20,
        items: { type: 'string', minLength: 1, maxLength: 2048 },
        description: "Legitimate origins (corsgate scan's --origin)",
      },
      resolve: {
        type: 'array',
        maxItems: 20,
        items: { type: 'string', minLength: 1, maxLength: 300 },
        description: "host:port:address entries (corsgate scan's --resolve)",
      },
      cookie: {
        type: 'string',
        maxLength: 8192,
        description: 'Cookie header sent with every probe; never stored or shown',
      },
    },
    required: ['url'],
    additionalProperties: false,
  },
} as const satisfies Record<string, Schema>;

export type SchemaName = keyof typeof SCHEMAS;
