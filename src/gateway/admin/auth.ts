/**
 * Admin tokens and permissions. Tokens are random (256 bits), stored only as SHA-256 hashes, and
 * the stored hash is compared with the presented one in constant time. Permissions follow Salesforce's names:
 * view-setup (read everything) < customize-application (trusted sites, settings, routes)
 * < modify-all-data (everything, including the allowlist, import and tokens).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Permission, Store } from '../../store/types.js';

export function generateToken(): string {
  return `cgt_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Everything a set of granted permissions implies. */
export function effectivePermissions(granted: readonly Permission[]): Permission[] {
  const out = new Set<Permission>();
  for (const p of granted) {
    out.add(p);
    if (p === 'customize-application' || p === 'modify-all-data') out.add('view-setup');
    if (p === 'modify-all-data') out.add('customize-application');
  }
  return (['view-setup', 'customize-application', 'modify-all-data'] as const).filter((p) => out.has(p));
}

export interface Principal {
  name: string;
  tokenId: string;
  permissions: Permission[];
}

export async function authenticate(req: IncomingMessage, store: Store): Promise<Principal | null> {
  const header = req.headers.authorization;
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return null;
  // Looked up by the SHA-256 of the presented token: an attacker cannot steer those bytes, so the
  // index lookup leaks nothing about a stored token; the stored hash is then compared in constant time.
  const hash = Buffer.from(hashToken(m[1]!), 'hex');
  const rec = await store.findTokenByHash(hash.toString('hex'));
  if (!rec) return null;
  const stored = Buffer.from(rec.hash, 'hex');
  if (stored.length !== hash.length || !timingSafeEqual(stored, hash)) return null;
  return { name: rec.name, tokenId: rec.id, permissions: effectivePermissions(rec.permissions) };
}

const ENV_TOKEN_NAME = 'admin (CORSGATE_ADMIN_TOKEN)';

/** Creates the bootstrap token when the store has none. Returns the clear-text token if it was generated here. */
export async function ensureBootstrapToken(store: Store, fromEnv: string | undefined): Promise<{ generated: string | null; created: boolean }> {
  if (fromEnv) {
    const hash = hashToken(fromEnv);
    if (!(await store.findTokenByHash(hash))) {
      // A changed CORSGATE_ADMIN_TOKEN replaces the previous one: rotating it must revoke the old value.
      if (!store.readOnly) for (const t of await store.listTokens()) if (t.name === ENV_TOKEN_NAME && t.createdBy === 'system') await store.deleteToken(t.id, 'system');
      await store.createToken({ name: ENV_TOKEN_NAME, permissions: ['modify-all-data'], hash }, 'system');
      return { generated: null, created: true };
    }
    return { generated: null, created: false };
  }
  if ((await store.countTokens()) > 0) return { generated: null, created: false };
  const token = generateToken();
  await store.createToken({ name: 'admin', permissions: ['modify-all-data'], hash: hashToken(token) }, 'system');
  return { generated: token, created: true };
}
