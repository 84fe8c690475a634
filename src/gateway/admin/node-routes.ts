/**
 * The admin API's reads of the gateway itself and its jobs: who is calling, the live snapshot,
 * the audit log, the fleet's nodes, metadata import/export, scans and the usage counters.
 */
import { listNodes } from './fleet.js';
import { actorOf, listQuery, reply, requestUrl, route, type RouteDef } from './context.js';
import { sendJson } from './http.js';
import { exportMetadataHandler } from './metadata-export.js';
import { importMetadataHandler } from './metadata.js';
import { getScan, listScans, startScan, type ScanInput } from './scans.js';
import type { Me } from './types.js';
import {
  allowlistUsage,
  cspUsage,
  refusedUsage,
  reportOnlyUsage,
  resetUsage,
  trafficUsage,
} from './usage.js';

export const STATUS_ROUTES: RouteDef[] = [
  // readOnly: the gateway runs from a policy file, so every policy write is refused whatever the permissions.
  route('GET', '/api/me', 'view-setup', {}, async (c, _q, res, who) =>
    sendJson(res, 200, {
      name: who.name,
      tokenId: who.tokenId,
      permissions: who.permissions,
      readOnly: c.store.readOnly,
      policyFile: c.info.policyFile,
    } satisfies Me),
  ),
  route('GET', '/api/status', 'view-setup', {}, async (c, _q, res) => {
    const s = c.snapshot();
    sendJson(res, 200, {
      version: s.version,
      allowlistEntries: s.allowlistSize,
      cspBytes: s.cspBytes,
      csp: s.csp,
      warnings: s.warnings,
      readOnly: c.store.readOnly,
      store: c.store.description,
      ...c.info,
    });
  }),
];

export const RECORD_ROUTES: RouteDef[] = [
  // audit, import, export
  route('GET', '/api/audit', 'view-setup', { success: ['200', 'AuditPage'] }, async (c, req, res) => {
    const url = requestUrl(req);
    const q = listQuery(url, []);
    const entity = url.searchParams.get('entity') ?? undefined;
    await reply(c, res, 200, c.store.listAudit({ limit: q.limit, cursor: q.cursor, entity }));
  }),
  route('GET', '/api/nodes', 'view-setup', {}, async (c, _q, res) => listNodes(c.fleet, res)),
  route('POST', '/api/import', 'modify-all-data', {}, async (c, req, res, who) =>
    importMetadataHandler(c, req, res, actorOf(who)),
  ),
  route('GET', '/api/export', 'view-setup', {}, async (c, req, res) => exportMetadataHandler(c, req, res)),
];

export const JOB_ROUTES: RouteDef[] = [
  // scans (outbound requests on an admin's behalf: Customize Application)
  route(
    'POST',
    '/api/scans',
    'customize-application',
    { body: 'ScanInput' },
    async (c, _req, res, who, _p, input: ScanInput) => {
      // The upstream as configured (info.upstream may carry a note after it) and the proxy listener.
      const fixedOrigins = [c.info.upstream.split(' ')[0]!, c.info.proxyUrl].filter((u) => URL.canParse(u));
      const scan = await startScan(input, actorOf(who), {
        allowed: c.snapshot().settings.scanTargets,
        fixedOrigins,
      });
      sendJson(res, 202, scan);
    },
  ),
  route('GET', '/api/scans', 'view-setup', {}, async (_c, _q, res) =>
    sendJson(res, 200, { items: listScans() }),
  ),
  route('GET', '/api/scans/{id}', 'view-setup', {}, async (_c, _q, res, _w, [id]) =>
    sendJson(res, 200, getScan(id!)),
  ),
  // usage counters (issue 14): reads need view-setup; a reset forgets evidence, so it needs the top permission
  route('GET', '/api/usage/allowlist', 'view-setup', {}, allowlistUsage),
  route('GET', '/api/usage/refused', 'view-setup', {}, refusedUsage),
  route('GET', '/api/usage/report-only', 'view-setup', {}, reportOnlyUsage),
  route('GET', '/api/usage/traffic', 'view-setup', {}, trafficUsage),
  route('GET', '/api/usage/csp', 'view-setup', {}, cspUsage),
  route('DELETE', '/api/usage', 'modify-all-data', { success: ['204', null] }, async (c, _q, res, who) =>
    resetUsage(c, actorOf(who), res),
  ),
];
