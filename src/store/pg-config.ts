/**
 * The PostgreSQL store's configuration entities: the allowlist, trusted sites, routes and settings,
 * each read from the pool and each change one transaction with its audit rows (PgBase.change).
 * Their shared row writes are in pg-write.ts; the import, tokens, audit and usage in postgres.ts.
 */
import { randomUUID } from 'node:crypto';
import { PgBase } from './pg-base.js';
import { page, settingsOf } from './pg-rows.js';
import {
  dupPattern,
  dupSite,
  insertAllowlist,
  insertAllowlistRows,
  insertSite,
  writeSettings,
} from './pg-write.js';
import { rowToAllowlist, rowToRoute, rowToSite } from './sqlite-rows.js';
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

export class PgConfigStore extends PgBase {
  // ---- allowlist ---------------------------------------------------------------------------

  listAllowlist(query: ListQuery): Promise<Page<AllowlistEntry>> {
    return page(
      (s, p) => this.read(s, p),
      'allowlist',
      '(strpos(lower(url_pattern), $Q) > 0 OR strpos(lower(description), $Q) > 0)',
      query,
      'url_pattern',
      rowToAllowlist,
    );
  }

  async getAllowlist(id: string): Promise<AllowlistEntry | null> {
    const [r] = await this.read('SELECT * FROM allowlist WHERE id = $1', [id]);
    return r ? rowToAllowlist(r) : null;
  }

  createAllowlist(
    input: { urlPattern: string; description?: string },
    actor: string,
  ): Promise<AllowlistEntry> {
    return this.change(
      async (tx) => {
        const entry = await insertAllowlist(tx, input, actor);
        tx.audit({ action: 'create', entity: 'allowlist', entityId: entry.id, before: null, after: entry });
        return entry;
      },
      actor,
      dupPattern(input.urlPattern),
    );
  }

  createAllowlistMany(items: { urlPattern: string; description?: string }[], actor: string) {
    return this.change(async (tx) => {
      const existing = new Set(
        (
          await tx.q<{ url_pattern: string }>(
            'SELECT url_pattern FROM allowlist WHERE url_pattern = ANY($1)',
            [items.map((i) => i.urlPattern)],
          )
        ).map((r) => r.url_pattern),
      );
      const rows: AllowlistEntry[] = [];
      const out = items.map((item) => {
        if (existing.has(item.urlPattern)) return { duplicate: true as const };
        existing.add(item.urlPattern);
        const entry: AllowlistEntry = {
          id: randomUUID(),
          urlPattern: item.urlPattern,
          description: item.description ?? '',
          createdAt: tx.at,
          createdBy: actor,
        };
        rows.push(entry);
        tx.audit({ action: 'create', entity: 'allowlist', entityId: entry.id, before: null, after: entry });
        return { entry };
      });
      await insertAllowlistRows(
        tx,
        rows.map((e) => ({ ...e, name: '' })),
      );
      return out;
    }, actor);
  }

  updateAllowlist(
    id: string,
    input: { urlPattern: string; description?: string },
    actor: string,
  ): Promise<AllowlistEntry> {
    return this.change(
      async (tx) => {
        const [before] = await tx.q('SELECT * FROM allowlist WHERE id = $1', [id]);
        if (!before) throw new StoreError('not-found', `no allowlist entry with id '${id}'`);
        const [after] = await tx.q(
          'UPDATE allowlist SET url_pattern = $1, description = $2 WHERE id = $3 RETURNING *',
          [input.urlPattern, input.description ?? '', id],
        );
        tx.audit({
          action: 'update',
          entity: 'allowlist',
          entityId: id,
          before: rowToAllowlist(before),
          after: rowToAllowlist(after!),
        });
        return rowToAllowlist(after!);
      },
      actor,
      dupPattern(input.urlPattern),
    );
  }

  async deleteAllowlist(id: string, actor: string): Promise<void> {
    await this.change(async (tx) => {
      const [before] = await tx.q('DELETE FROM allowlist WHERE id = $1 RETURNING *', [id]);
      if (!before) throw new StoreError('not-found', `no allowlist entry with id '${id}'`);
      tx.audit({
        action: 'delete',
        entity: 'allowlist',
        entityId: id,
        before: rowToAllowlist(before),
        after: null,
      });
    }, actor);
  }

  // ---- trusted sites -----------------------------------------------------------------------

  listTrustedSites(query: ListQuery): Promise<Page<TrustedSite>> {
    return page(
      (s, p) => this.read(s, p),
      'trusted_sites',
      'strpos(lower(data), $Q) > 0',
      query,
      'name',
      rowToSite,
    );
  }

  async getTrustedSite(id: string): Promise<TrustedSite | null> {
    const [r] = await this.read('SELECT * FROM trusted_sites WHERE id = $1', [id]);
    return r ? rowToSite(r) : null;
  }

  createTrustedSite(input: TrustedSiteFields, actor: string): Promise<TrustedSite> {
    return this.change(
      async (tx) => {
        const site = await insertSite(tx, input, actor);
        tx.audit({ action: 'create', entity: 'trusted-site', entityId: site.id, before: null, after: site });
        return site;
      },
      actor,
      dupSite(input.name),
    );
  }

  updateTrustedSite(id: string, input: TrustedSiteFields, actor: string): Promise<TrustedSite> {
    return this.change(
      async (tx) => {
        const [before] = await tx.q('SELECT * FROM trusted_sites WHERE id = $1', [id]);
        if (!before) throw new StoreError('not-found', `no trusted site with id '${id}'`);
        const [after] = await tx.q(
          'UPDATE trusted_sites SET name = $1, data = $2 WHERE id = $3 RETURNING *',
          [input.name, JSON.stringify(input), id],
        );
        tx.audit({
          action: 'update',
          entity: 'trusted-site',
          entityId: id,
          before: rowToSite(before),
          after: rowToSite(after!),
        });
        return rowToSite(after!);
      },
      actor,
      dupSite(input.name),
    );
  }

  async deleteTrustedSite(id: string, actor: string): Promise<void> {
    await this.change(async (tx) => {
      const [before] = await tx.q('DELETE FROM trusted_sites WHERE id = $1 RETURNING *', [id]);
      if (!before) throw new StoreError('not-found', `no trusted site with id '${id}'`);
      tx.audit({
        action: 'delete',
        entity: 'trusted-site',
        entityId: id,
        before: rowToSite(before),
        after: null,
      });
    }, actor);
  }

  // ---- routes ------------------------------------------------------------------------------

  async listRoutes(): Promise<Route[]> {
    return (await this.read('SELECT * FROM routes ORDER BY seq')).map(rowToRoute);
  }

  async getRoute(id: string): Promise<Route | null> {
    const [r] = await this.read('SELECT * FROM routes WHERE id = $1', [id]);
    return r ? rowToRoute(r) : null;
  }

  createRoute(input: RouteFields, actor: string): Promise<Route> {
    return this.change(async (tx) => {
      const route: Route = { id: randomUUID(), ...input, createdAt: tx.at, createdBy: actor };
      await tx.q('INSERT INTO routes (id, data, created_at, created_by) VALUES ($1, $2, $3, $4)', [
        route.id,
        JSON.stringify(input),
        tx.at,
        actor,
      ]);
      tx.audit({ action: 'create', entity: 'route', entityId: route.id, before: null, after: route });
      return route;
    }, actor);
  }

  updateRoute(id: string, input: RouteFields, actor: string): Promise<Route> {
    return this.change(async (tx) => {
      const [before] = await tx.q('SELECT * FROM routes WHERE id = $1', [id]);
      if (!before) throw new StoreError('not-found', `no route with id '${id}'`);
      const [after] = await tx.q('UPDATE routes SET data = $1 WHERE id = $2 RETURNING *', [
        JSON.stringify(input),
        id,
      ]);
      tx.audit({
        action: 'update',
        entity: 'route',
        entityId: id,
        before: rowToRoute(before),
        after: rowToRoute(after!),
      });
      return rowToRoute(after!);
    }, actor);
  }

  async deleteRoute(id: string, actor: string): Promise<void> {
    await this.change(async (tx) => {
      const [before] = await tx.q('DELETE FROM routes WHERE id = $1 RETURNING *', [id]);
      if (!before) throw new StoreError('not-found', `no route with id '${id}'`);
      tx.audit({ action: 'delete', entity: 'route', entityId: id, before: rowToRoute(before), after: null });
    }, actor);
  }

  // ---- settings ----------------------------------------------------------------------------

  async getSettings(): Promise<Settings> {
    return settingsOf(await this.read('SELECT key, value FROM settings'));
  }

  putSettings(settings: Settings, actor: string): Promise<Settings> {
    return this.change(async (tx) => {
      await writeSettings(tx, settings);
      return settingsOf(await tx.q('SELECT key, value FROM settings'));
    }, actor);
  }
}
