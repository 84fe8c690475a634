/** /api/openapi.json, generated from the route table and the same schemas the validator uses. */
import { SCHEMAS } from './schema.js';

const BODY: Record<string, string> = {
  'POST /api/allowlist': 'AllowlistInput',
  'PUT /api/allowlist/{id}': 'AllowlistInput',
  'POST /api/allowlist/bulk': 'AllowlistBulkInput',
  'POST /api/trusted-sites': 'TrustedSiteInput',
  'PUT /api/trusted-sites/{id}': 'TrustedSiteInput',
  'PUT /api/settings': 'SettingsInput',
  'POST /api/routes': 'RouteInput',
  'PUT /api/routes/{id}': 'RouteInput',
  'POST /api/tokens': 'TokenInput',
};

let cached: unknown = null;

export function buildOpenApi(routes: readonly { method: string; path: string; permission: string }[]): unknown {
  if (cached) return cached;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const key = `${r.method} ${r.path}`;
    const op: Record<string, unknown> = {
      summary: key,
      description: `Needs the '${r.permission}' permission.`,
      security: [{ bearer: [] }],
      ...(r.path.includes('{id}') ? { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] } : {}),
      responses: {
        '2XX': { description: 'success' },
        '400': { $ref: '#/components/responses/Error' },
        '401': { $ref: '#/components/responses/Error' },
        '403': { $ref: '#/components/responses/Error' },
      },
    };
    if (BODY[key]) op.requestBody = { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${BODY[key]}` } } } };
    if (r.path === '/api/import') op.requestBody = { required: true, content: { 'application/zip': {}, 'application/xml': {}, 'text/xml': {} } };
    (paths[r.path] ??= {})[r.method.toLowerCase()] = op;
  }
  cached = {
    openapi: '3.1.0',
    info: { title: 'corsgate admin API', version: '1' },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        ...SCHEMAS,
        Error: {
          type: 'object',
          properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' }, problems: { type: 'array' } }, required: ['code', 'message'] } },
        },
      },
      responses: { Error: { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } },
    },
  };
  return cached;
}
