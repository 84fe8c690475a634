/**
 * The policy's own tables in the SQLite store: the allowlist, the trusted sites, the routes and the
 * settings, read and changed one entry at a time (SqliteStore in sqlite.ts adds imports, tokens,
 * audit and usage on top).
 */
import { randomUUID } from 'node:crypto';
import { SqliteDatabase, type Duplicate } from './sqlite-base.js';
import { ENTITY_TABLES as T, rowToRoute, type Row } from './sqlite-rows.js';
import {
  StoreError,
  type AllowlistEntry,
  type ListQuery,
  type Page,
  type Route,
  type RouteFields,
  type Settings,
  type TrustedSite,
  type TrustedSiteFields,
} from './types.js';

const allowlistDuplicate =
  (urlPattern: string): Duplicate =>
  () =>
    new StoreError(
      'duplicate',
      `the origin pattern '${urlPattern}' is already in the allowlist`,
      'urlPattern',
    );
const siteDuplicate =
  (name: string): Duplicate =>
  () =>
    new StoreError('duplicate', `a trusted site named '${name}' already exists`, 'name');

export abstract class SqlitePolicyTables extends SqliteDatabase {
  // ---- allowlist ---------------------------------------------------------------------------

  async listAllowlist(query: ListQuery): Promise<Page<AllowlistEntry>> {
    const q = query.q?.toLowerCase();
    const search = q
      ? { where: '(instr(lower(url_pattern), ?) > 0 OR instr(lower(description), ?) > 0)', params: [q, q] }
      : null;
    return this.keysetPage(T.allowlist, query, query.sort === 'urlPattern' ? 'url_pattern' : 'seq', search);
  }

  async getAllowlist(id: string): Promise<AllowlistEntry | null> {
    return this.getById(T.allowlist, id);
  }

  protected insertAllowlist(
    input: { urlPattern: string; description?: string; name?: string },
    actor: string,
    at: string,
  ): AllowlistEntry {
    const entry: AllowlistEntry = {
      id: randomUUID(),
      urlPattern: input.urlPattern,
      description: input.description ?? '',
      ...(input.name ? { name: input.name } : {}),
      createdAt: at,
      createdBy: actor,
    };
    this.db
      .prepare(
        'INSERT INTO allowlist (id, url_pattern, description, name, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(entry.id, entry.urlPattern, entry.description, entry.name ?? '', entry.createdAt, entry.createdBy);
    return entry;
  }

  async createAllowlist(
    input: { urlPattern: string; description?: string },
    actor: string,
  ): Promise<AllowlistEntry> {
    return this.createEntry(
      T.allowlist,
      (at) => this.insertAllowlist(input, actor, at),
      actor,
      allowlistDuplicate(input.urlPattern),
    );
  }

  async createAllowlistMany(items: { urlPattern: string; description?: string }[], actor: string) {
    return this.change((audit, at) => {
      const exists = this.db.prepare('SELECT 1 FROM allowlist WHERE url_pattern = ?').pluck();
      return items.map((item) => {
        if (exists.get(item.urlPattern)) return { duplicate: true as const };
        const entry = this.insertAllowlist(item, actor, at);
        audit({ action: 'create', entity: 'allowlist', entityId: entry.id, before: null, after: entry });
        return { entry };
      });
    }, actor);
  }

  async updateAllowlist(
    id: string,
    input: { urlPattern: string; description?: string },
    actor: string,
  ): Promise<AllowlistEntry> {
    return this.updateEntry(
      T.allowlist,
      id,
      { url_pattern: input.urlPattern, description: input.description ?? '' },
      actor,
      allowlistDuplicate(input.urlPattern),
    );
  }

  async deleteAllowlist(id: string, actor: string): Promise<void> {
    this.deleteEntry(T.allowlist, id, actor);
  }

  // ---- trusted sites -----------------------------------------------------------------------

  async listTrustedSites(query: ListQuery): Promise<Page<TrustedSite>> {
    const q = query.q?.toLowerCase();
    return this.keysetPage(
      T.trustedSite,
      query,
      query.sort === 'name' ? 'name' : 'seq',
      q ? { where: 'instr(lower(data), ?) > 0', params: [q] } : null,
    );
  }

  async getTrustedSite(id: string): Promise<TrustedSite | null> {
    return this.getById(T.trustedSite, id);
  }

  protected insertSite(input: TrustedSiteFields, actor: string, at: string): TrustedSite {
    const site: TrustedSite = { id: randomUUID(), ...input, createdAt: at, createdBy: actor };
    this.db
      .prepare('INSERT INTO trusted_sites (id, name, data, created_at, created_by) VALUES (?, ?, ?, ?, ?)')
      .run(site.id, input.name, JSON.stringify(input), at, actor);
    return site;
  }

  async createTrustedSite(input: TrustedSiteFields, actor: string): Promise<TrustedSite> {
    return this.createEntry(
      T.trustedSite,
      (at) => this.insertSite(input, actor, at),
      actor,
      siteDuplicate(input.name),
    );
  }

  async updateTrustedSite(id: string, input: TrustedSiteFields, actor: string): Promise<TrustedSite> {
    return this.updateEntry(
      T.trustedSite,
      id,
      { name: input.name, data: JSON.stringify(input) },
      actor,
      siteDuplicate(input.name),
    );
  }

  async deleteTrustedSite(id: string, actor: string): Promise<void> {
    this.deleteEntry(T.trustedSite, id, actor);
  }

  // ---- routes ------------------------------------------------------------------------------

  async listRoutes(): Promise<Route[]> {
    return (this.db.prepare('SELECT * FROM routes ORDER BY seq').all() as Row[]).map(rowToRoute);
  }

  async getRoute(id: string): Promise<Route | null> {
    return this.getById(T.route, id);
  }

  async createRoute(input: RouteFields, actor: string): Promise<Route> {
    return this.createEntry(
      T.route,
      (at) => {
        const route: Route = { id: randomUUID(), ...input, createdAt: at, createdBy: actor };
        this.db
          .prepare('INSERT INTO routes (id, data, created_at, created_by) VALUES (?, ?, ?, ?)')
          .run(route.id, JSON.stringify(input), at, actor);
        return route;
      },
      actor,
    );
  }

  async updateRoute(id: string, input: RouteFields, actor: string): Promise<Route> {
    return this.updateEntry(T.route, id, { data: JSON.stringify(input) }, actor);
  }

  async deleteRoute(id: string, actor: string): Promise<void> {
    this.deleteEntry(T.route, id, actor);
  }

  // ---- settings ----------------------------------------------------------------------------

  async getSettings(): Promise<Settings> {
    return this.readSettings();
  }

  async putSettings(settings: Settings, actor: string): Promise<Settings> {
    return this.change((audit) => {
      this.writeSettings(settings, audit);
      return this.readSettings();
    }, actor);
  }
}
