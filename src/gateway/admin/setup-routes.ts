/**
 * The admin API's gateway setup: settings, routes (writes that widen CORS need modify-all-data,
 * guard.ts) and admin tokens.
 */
import type { Permission, RouteFields, Settings } from '../../store/types.js';
import { oauthPresetRoutes } from '../routes.js';
import { effectivePermissions, generateToken, hashToken } from './auth.js';
import { routeBody } from './bodies.js';
import { actorOf, notFound, reply, route, type RouteDef } from './context.js';
import { routeWrite, settingsWrite } from './guard.js';
import { sendJson, sendNoContent } from './http.js';
import { settingsChange } from './settings.js';

export const SETTINGS_ROUTES: RouteDef[] = [
  route(
    'GET',
    '/api/settings',
    'view-setup',
    { success: ['200', 'Settings'] },
    async (c, _q, res) => await reply(c, res, 200, c.store.getSettings()),
  ),
  route(
    'PUT',
    '/api/settings',
    'customize-application',
    { body: 'SettingsInput', success: ['200', 'Settings'] },
    async (c, _req, res, who, _p, input: Partial<Settings>) => {
      const next = await settingsChange(c, who, input);
      await settingsWrite(c, who, next, () => reply(c, res, 200, c.store.putSettings(next, actorOf(who))));
    },
  ),
];

export const ROUTE_ROUTES: RouteDef[] = [
  route('GET', '/api/routes', 'view-setup', {}, async (c, _q, res) => {
    const s = c.snapshot();
    const builtIn = s.settings.oauthPreset
      ? oauthPresetRoutes(s.settings).map((x) => ({ ...x, builtIn: true }))
      : [];
    sendJson(res, 200, { items: await c.store.listRoutes(), builtIn });
  }),
  // Route writes that widen CORS need modify-all-data (guard.ts).
  route(
    'POST',
    '/api/routes',
    'customize-application',
    { body: 'RouteInput', success: ['201', 'Route'] },
    async (c, _req, res, who, _p, input: Partial<RouteFields>) => {
      const fields = routeBody(input);
      await routeWrite(c, who, { fields }, () =>
        reply(c, res, 201, c.store.createRoute(fields, actorOf(who))),
      );
    },
  ),
  route(
    'GET',
    '/api/routes/{id}',
    'view-setup',
    { success: ['200', 'Route'] },
    async (c, _q, res, _w, [id]) => {
      const x = await c.store.getRoute(id!);
      if (!x) throw notFound('route', id!);
      sendJson(res, 200, x);
    },
  ),
  route(
    'PUT',
    '/api/routes/{id}',
    'customize-application',
    { body: 'RouteInput', success: ['200', 'Route'] },
    async (c, _req, res, who, [id], input: Partial<RouteFields>) => {
      const fields = routeBody(input);
      await routeWrite(c, who, { id: id!, fields }, () =>
        reply(c, res, 200, c.store.updateRoute(id!, fields, actorOf(who))),
      );
    },
  ),
  route(
    'DELETE',
    '/api/routes/{id}',
    'customize-application',
    { success: ['204', null] },
    async (c, _q, res, who, [id]) => {
      await routeWrite(c, who, { id: id! }, async () => {
        await c.store.deleteRoute(id!, actorOf(who));
        await c.sync();
      });
      sendNoContent(res);
    },
  ),
];

export const TOKEN_ROUTES: RouteDef[] = [
  // Listing shows names and permissions only (no secret): readable with view-setup, like everything else.
  route('GET', '/api/tokens', 'view-setup', {}, async (c, _q, res) =>
    sendJson(res, 200, { items: await c.store.listTokens() }),
  ),
  route(
    'POST',
    '/api/tokens',
    'modify-all-data',
    { body: 'TokenInput', success: ['201', 'CreatedToken'] },
    async (c, _req, res, who, _p, input: { name: string; permissions: Permission[] }) => {
      const token = generateToken();
      const permissions = [...new Set(input.permissions)];
      const rec = await c.store.createToken(
        { name: input.name, permissions, hash: hashToken(token) },
        actorOf(who),
      );
      sendJson(res, 201, {
        token,
        id: rec.id,
        name: rec.name,
        permissions: effectivePermissions(rec.permissions),
        createdAt: rec.createdAt,
      });
    },
  ),
  route(
    'DELETE',
    '/api/tokens/{id}',
    'modify-all-data',
    { success: ['204', null] },
    async (c, _q, res, who, [id]) => {
      await c.store.deleteToken(id!, actorOf(who));
      await c.sync();
      sendNoContent(res);
    },
  ),
];
