/** /api/openapi.json, generated from the route table and the same schemas the validator uses. */
import { SCHEMAS } from './schema.js';

const LIST_PARAMS = [
  {
    name: 'limit',
    in: 'query',
    schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    description: 'page size (values above 1000 are capped)',
  },
  {
    name: 'cursor',
    in: 'query',
    schema: { type: 'string' },
    description: 'the nextCursor of the previous page',
  },
];
const SEARCH_PARAMS = [
  ...LIST_PARAMS,
  { name: 'q', in: 'query', schema: { type: 'string' }, description: 'case-insensitive substring search' },
  { name: 'order', in: 'query', schema: { type: 'string', enum: ['asc', 'desc'] } },
];

const QUERY: Record<string, unknown[]> = {
  'GET /api/allowlist': [
    ...SEARCH_PARAMS,
    { name: 'sort', in: 'query', schema: { type: 'string', enum: ['createdAt', 'urlPattern'] } },
  ],
  'GET /api/trusted-sites': [
    ...SEARCH_PARAMS,
    { name: 'sort', in: 'query', schema: { type: 'string', enum: ['createdAt', 'name'] } },
  ],
  'GET /api/audit': [
    ...LIST_PARAMS,
    {
      name: 'entity',
      in: 'query',
      schema: {
        type: 'string',
        enum: ['allowlist', 'trusted-site', 'route', 'settings', 'token', 'auth', 'policy-file'],
      },
    },
  ],
  'GET /api/export': [
    { name: 'format', in: 'query', schema: { type: 'string', enum: ['zip', 'json'], default: 'zip' } },
  ],
  'POST /api/import': [
    {
      name: 'filename',
      in: 'query',
      schema: { type: 'string' },
      description: 'name of the uploaded file (helps detect its type)',
    },
  ],
};

const STAMP = {
  id: { type: 'string' },
  createdAt: { type: 'string', format: 'date-time' },
  createdBy: { type: 'string' },
} as const;
const page = (item: string) => ({
  type: 'object',
  properties: {
    items: { type: 'array', items: { $ref: `#/components/schemas/${item}` } },
    nextCursor: { type: ['string', 'null'] },
  },
  required: ['items', 'nextCursor'],
});
const json = (ref: string) => ({
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});

let cached: unknown = null;

export interface DocumentedRoute {
  method: string;
  path: string;
  permission: string;
  /** The request body's schema name. */
  body?: string;
  /** The success status and its body's schema name (null: no body). */
  success?: readonly [string, string | null];
}

const ERROR = { $ref: '#/components/responses/Error' };

function responsesOf(r: DocumentedRoute): Record<string, unknown> {
  return {
    ...(r.success
      ? { [r.success[0]]: { description: 'success', ...(r.success[1] ? json(r.success[1]) : {}) } }
      : { '2XX': { description: 'success' } }),
    '400': ERROR,
    '401': ERROR,
    '403': ERROR,
    ...(r.path.includes('{id}') ? { '404': ERROR } : {}),
    ...(r.method === 'POST' || r.method === 'PUT' ? { '409': ERROR, '413': ERROR } : {}),
    '429': ERROR,
    ...(r.method !== 'GET' ? { '507': ERROR } : {}),
  };
}

function operationOf(r: DocumentedRoute): Record<string, unknown> {
  const key = `${r.method} ${r.path}`;
  const idParam = r.path.includes('{id}')
    ? [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]
    : [];
  const op: Record<string, unknown> = {
    summary: key,
    description: `Needs the '${r.permission}' permission.`,
    security: [{ bearer: [] }],
    parameters: [...idParam, ...(QUERY[key] ?? [])],
    responses: responsesOf(r),
  };
  if (r.body)
    op.requestBody = {
      required: true,
      content: { 'application/json': { schema: { $ref: `#/components/schemas/${r.body}` } } },
    };
  if (r.path === '/api/import')
    op.requestBody = {
      required: true,
      content: { 'application/zip': {}, 'application/xml': {}, 'text/xml': {}, 'multipart/form-data': {} },
    };
  return op;
}

/** The answers' schemas (the request bodies' are SCHEMAS, published as they are validated). */
function answerSchemas() {
  return {
    AllowlistEntry: {
      type: 'object',
      properties: { ...STAMP, urlPattern: { type: 'string' }, description: { type: 'string' } },
      required: ['id', 'urlPattern', 'description', 'createdAt', 'createdBy'],
    },
    AllowlistPage: page('AllowlistEntry'),
    TrustedSite: {
      type: 'object',
      properties: { ...STAMP, ...SCHEMAS.TrustedSiteInput.properties },
      required: ['id', 'name', 'endpointUrl', 'context', 'isActive', 'createdAt', 'createdBy'],
    },
    TrustedSitePage: page('TrustedSite'),
    Settings: { type: 'object', properties: SCHEMAS.SettingsInput.properties },
    Route: {
      type: 'object',
      properties: { ...STAMP, ...SCHEMAS.RouteInput.properties },
      required: ['id', 'kind', 'paths', 'priority'],
    },
    CreatedToken: {
      type: 'object',
      properties: {
        token: { type: 'string', description: 'shown once' },
        id: { type: 'string' },
        name: { type: 'string' },
        permissions: SCHEMAS.TokenInput.properties.permissions,
        createdAt: { type: 'string' },
      },
      required: ['token'],
    },
    AuditEntry: {
      type: 'object',
      properties: {
        id: { type: 'integer' },
        at: { type: 'string', format: 'date-time' },
        actor: { type: 'string' },
        action: { type: 'string' },
        entity: { type: 'string' },
        entityId: { type: ['string', 'null'] },
        before: {},
        after: {},
      },
      required: ['id', 'at', 'actor', 'action', 'entity', 'before', 'after'],
    },
    AuditPage: page('AuditEntry'),
    Error: {
      type: 'object',
      properties: {
        error: {
          type: 'object',
          properties: {
            code: { type: 'string' },
            message: { type: 'string' },
            field: { type: 'string' },
            problems: { type: 'array', maxItems: 100 },
            moreProblems: { type: 'integer', description: 'problems found beyond the ones listed' },
            limit: { type: 'string', description: '413: the name of the limit passed' },
            max: { type: 'integer', description: '413: its value' },
            retryAfter: { type: 'integer', description: '429: seconds to wait (also in Retry-After)' },
          },
          required: ['code', 'message'],
        },
      },
    },
  };
}

export function buildOpenApi(routes: readonly DocumentedRoute[]): unknown {
  if (cached) return cached;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) (paths[r.path] ??= {})[r.method.toLowerCase()] = operationOf(r);
  cached = {
    openapi: '3.1.0',
    info: { title: 'corsgate admin API', version: '1' },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { ...SCHEMAS, ...answerSchemas() },
      responses: {
        Error: {
          description: 'error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    },
  };
  return cached;
}
