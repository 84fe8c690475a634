/**
 * The admin API's request-body schemas (a JSON Schema subset) and the validator that enforces them.
 * The same objects are published in /api/openapi.json, so the document and the checks cannot drift.
 */

export type Schema =
  | { type: 'string'; minLength?: number; maxLength?: number; enum?: readonly string[]; pattern?: string; description?: string }
  | { type: 'boolean'; description?: string }
  | { type: 'integer'; minimum?: number; maximum?: number; description?: string }
  | { type: 'array'; items: Schema; maxItems?: number; minItems?: number; description?: string }
  | { type: 'object'; properties: Record<string, Schema>; required?: readonly string[]; additionalProperties: false; description?: string };

export interface BodyProblem {
  code: string;
  field: string;
  message: string;
}

const PERMISSION = { type: 'string', enum: ['view-setup', 'customize-application', 'modify-all-data'] } as const;
const HOST_LIST = { type: 'array', items: { type: 'string', minLength: 1, maxLength: 255 }, maxItems: 1000 } as const;

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
      priority: { type: 'integer', minimum: -1_000_000, maximum: 999_999 },
      description: { type: 'string', maxLength: 255 },
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
    },
    additionalProperties: false,
  },
  TokenInput: {
    type: 'object',
    properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, permissions: { type: 'array', minItems: 1, items: PERMISSION } },
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

export function validate(schema: Schema, value: unknown, field = '', out: BodyProblem[] = []): BodyProblem[] {
  const where = field || 'body';
  switch (schema.type) {
    case 'object': {
      if (typeName(value) !== 'object') {
        out.push({ code: 'body-wrong-type', field: where, message: `${where} must be an object, not ${typeName(value)}` });
        return out;
      }
      const obj = value as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        if (!(key in schema.properties)) out.push({ code: 'body-unknown-field', field: field ? `${field}.${key}` : key, message: `unknown field '${key}' (allowed: ${Object.keys(schema.properties).join(', ')})` });
      }
      for (const key of schema.required ?? []) {
        if (obj[key] === undefined) out.push({ code: 'body-missing-field', field: field ? `${field}.${key}` : key, message: `the field '${key}' is required` });
      }
      for (const [key, sub] of Object.entries(schema.properties)) {
        if (obj[key] !== undefined) validate(sub, obj[key], field ? `${field}.${key}` : key, out);
      }
      return out;
    }
    case 'array': {
      if (!Array.isArray(value)) {
        out.push({ code: 'body-wrong-type', field: where, message: `${where} must be an array, not ${typeName(value)}` });
        return out;
      }
      if (schema.maxItems !== undefined && value.length > schema.maxItems) out.push({ code: 'body-too-many-items', field: where, message: `${where} may hold at most ${schema.maxItems} items` });
      if (schema.minItems !== undefined && value.length < schema.minItems) out.push({ code: 'body-too-few-items', field: where, message: `${where} needs at least ${schema.minItems} item(s)` });
      value.forEach((item, i) => validate(schema.items, item, `${where}[${i}]`, out));
      return out;
    }
    case 'string': {
      if (typeof value !== 'string') {
        out.push({ code: 'body-wrong-type', field: where, message: `${where} must be a string, not ${typeName(value)}` });
        return out;
      }
      if (schema.minLength !== undefined && value.length < schema.minLength) out.push({ code: 'body-too-short', field: where, message: `${where} must not be empty` });
      if (schema.maxLength !== undefined && value.length > schema.maxLength) out.push({ code: 'body-too-long', field: where, message: `${where} is longer than ${schema.maxLength} characters` });
      if (schema.enum && !schema.enum.includes(value)) out.push({ code: 'body-not-allowed-value', field: where, message: `${where} must be one of: ${schema.enum.join(', ')}` });
      if (schema.pattern && !new RegExp(schema.pattern).test(value)) out.push({ code: 'body-bad-format', field: where, message: `${where} must match ${schema.pattern}` });
      return out;
    }
    case 'boolean':
      if (typeof value !== 'boolean') out.push({ code: 'body-wrong-type', field: where, message: `${where} must be a boolean, not ${typeName(value)}` });
      return out;
    case 'integer':
      if (typeName(value) !== 'integer') out.push({ code: 'body-wrong-type', field: where, message: `${where} must be an integer, not ${typeName(value)}` });
      else {
        const n = value as number;
        if ((schema.minimum !== undefined && n < schema.minimum) || (schema.maximum !== undefined && n > schema.maximum))
          out.push({ code: 'body-out-of-range', field: where, message: `${where} must be between ${schema.minimum} and ${schema.maximum}` });
      }
      return out;
  }
}
