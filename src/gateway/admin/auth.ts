/**
 * Admin tokens and permissions. Tokens are random (256 bits), stored only as SHA-256 hashes, and
 * the stored hash is compared with the presented one in constant time. Permissions follow Salesforce's names:
 * view-setup (read everything) < customize-application (trusted sites, settings, routes)
 * < modify-all-data (everything, including the allowlist, import and tokens).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { StoreError, type Permission, type Store } from '../../store/types.js';
import { ConfigError } from '../config.js';
import { ApiError } from './http.js';

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

/** Why a request is not authenticated: `missing` sent no token; the others are failed attempts. */
export type AuthFailure =
  { reason: 'missing' | 'malformed' | 'unknown' } | { reason: 'revoked'; name: string; revokedAt: string };
export type Authentication = { ok: true; principal: Principal } | ({ ok: false } & AuthFailure);

export async function authenticate(req: IncomingMessage, store: Store): Promise<Authentication> {
  const header = req.headers.authorization;
  if (!header) return { ok: false, reason: 'missing' };
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return { ok: false, reason: 'malformed' };
  // Looked up by the SHA-256 of the presented token: an attacker cannot steer those bytes, so the
  // index lookup leaks nothing about a stored token; the stored hash is then compared in constant time.
  const hash = Buffer.from(hashToken(m[1]!), 'hex');
  const rec = await store.findTokenByHash(hash.toString('hex'));
  const stored = rec ? Buffer.from(rec.hash, 'hex') : null;
  if (rec && stored && stored.length === hash.length && timingSafeEqual(stored, hash))
    return {
      ok: true,
      principal: { name: rec.name, tokenId: rec.id, permissions: effectivePermissions(rec.permissions) },
    };
  const revoked = await store.findRevokedToken(hash.toString('hex'));
  return revoked ? { ok: false, reason: 'revoked', ...revoked } : { ok: false, reason: 'unknown' };
}

/** The 401 answer for a failed authentication: it says what was wrong with the token. */
export function authError(failure: AuthFailure): ApiError {
  switch (failure.reason) {
    case 'missing':
      return new ApiError(401, 'unauthenticated', 'send an admin token: Authorization: Bearer <token>');
    case 'malformed':
      return new ApiError(
        401,
        'unauthenticated',
        "the Authorization header must be 'Bearer <token>', with the token in one piece",
      );
    case 'unknown':
      return new ApiError(
        401,
        'token-unknown',
        'this admin token is unknown: check that it was copied whole, or ask an administrator for one',
      );
    case 'revoked':
      return new ApiError(
        401,
        'token-revoked',
        `this admin token ('${failure.name}') was revoked at ${failure.revokedAt}; ask an administrator for a new one`,
      );
  }
}

/** The name of the token CORSGATE_ADMIN_TOKEN creates, and of the one generated on a first start without it. */
export const ENV_TOKEN_NAME = 'admin (CORSGATE_ADMIN_TOKEN)';
export const GENERATED_TOKEN_NAME = 'admin';

/** A chosen bootstrap token needs this many characters at least (a generated one has 47). */
export const MIN_ADMIN_TOKEN_LENGTH = 24;

/**
 * Why a chosen admin token is too easy to guess, or null: too short, too few different characters,
 * made of repeats (fewer than 60% of its three-character runs differ), or mostly (over 75%) runs
 * of neighbouring characters (`aaaa`, `abcd`, `4321`). Random values (`openssl rand -hex 24`,
 * `-base64 24`) pass with overwhelming probability.
 */
export function adminTokenWeakness(token: string): string | null {
  const chars = [...token];
  if (chars.length < MIN_ADMIN_TOKEN_LENGTH)
    return `is ${chars.length} character${chars.length === 1 ? '' : 's'} long; it needs at least ${MIN_ADMIN_TOKEN_LENGTH}`;
  const distinct = new Set(chars).size;
  if (distinct < 6) return `uses only ${distinct} different characters; it needs at least 6`;
  const trigrams = chars.length - 2;
  const distinctTrigrams = new Set(chars.slice(2).map((c, i) => chars[i]! + chars[i + 1]! + c)).size;
  if (distinctTrigrams < 0.6 * trigrams) return 'is made of repeats (like change-me-change-me)';
  let neighbours = 0;
  for (let i = 1; i < chars.length; i++)
    if (Math.abs(chars[i]!.codePointAt(0)! - chars[i - 1]!.codePointAt(0)!) <= 1) neighbours++;
  if (neighbours > 0.75 * (chars.length - 1))
    return 'is mostly runs of neighbouring characters (like aaaa or abcd)';
  return null;
}

export interface BootstrapResult {
  /** The clear-text token, when this start generated it. */
  generated: string | null;
  created: boolean;
  /** What the start did to existing tokens, for the log. */
  notes: { level: 'info' | 'warn'; message: string }[];
}

/**
 * Creates the bootstrap token: from CORSGATE_ADMIN_TOKEN (refused when weak, unless `allowWeak`),
 * or generated when the store has no token. Setting CORSGATE_ADMIN_TOKEN revokes the token
 * generated on a first start and any previous value of the variable, each with an audit row.
 */
export async function ensureBootstrapToken(
  store: Store,
  fromEnv: string | undefined,
  options: { allowWeak?: boolean } = {},
): Promise<BootstrapResult> {
  const notes: BootstrapResult['notes'] = [];
  if (fromEnv) {
    const weakness = adminTokenWeakness(fromEnv);
    if (weakness && !options.allowWeak)
      throw new ConfigError(
        'admin-token-weak',
        `CORSGATE_ADMIN_TOKEN ${weakness}: choose a random value, e.g. export CORSGATE_ADMIN_TOKEN=$(openssl rand -hex 24) (--allow-weak-admin-token accepts it anyway, for tests)`,
      );
    if (weakness)
      notes.push({
        level: 'warn',
        message: `CORSGATE_ADMIN_TOKEN ${weakness}; accepted because of --allow-weak-admin-token`,
      });
    const hash = hashToken(fromEnv);
    const existing = await store.findTokenByHash(hash);
    if (!store.readOnly) {
      for (const t of await store.listTokens()) {
        if (t.createdBy !== 'system' || t.id === existing?.id) continue;
        // A changed CORSGATE_ADMIN_TOKEN replaces the previous one, and the generated token is no longer needed.
        if (t.name === ENV_TOKEN_NAME || t.name === GENERATED_TOKEN_NAME) {
          // Another node of a fleet starting at the same time may have revoked it first.
          if (!(await store.deleteToken(t.id, 'system').then(() => true, ignoreRace('not-found')))) continue;
          notes.push({
            level: 'info',
            message: `CORSGATE_ADMIN_TOKEN is set: the token '${t.name}' created ${t.createdAt} is revoked`,
          });
        }
      }
    }
    if (existing) return { generated: null, created: false, notes };
    // Nodes of a fleet starting at once on a new database race to create it: one wins, the others find it.
    const created = await store
      .createToken({ name: ENV_TOKEN_NAME, permissions: ['modify-all-data'], hash }, 'system')
      .then(() => true, ignoreRace('duplicate'));
    if (!created && !(await store.findTokenByHash(hash)))
      throw new StoreError(
        'duplicate',
        `a token named '${ENV_TOKEN_NAME}' already exists with another value`,
        'name',
      );
    return { generated: null, created, notes };
  }
  if ((await store.countTokens()) > 0) return { generated: null, created: false, notes };
  const token = generateToken();
  if (
    !(await store
      .createToken(
        { name: GENERATED_TOKEN_NAME, permissions: ['modify-all-data'], hash: hashToken(token) },
        'system',
      )
      .then(() => true, ignoreRace('duplicate')))
  )
    return {
      generated: null,
      created: false,
      notes: [
        ...notes,
        { level: 'info', message: 'another node created the admin token at the same time; it printed it' },
      ],
    };
  return { generated: token, created: true, notes };
}

/** A rejection handler that answers false for a StoreError of `code` (a concurrent node did it) and rethrows the rest. */
function ignoreRace(code: StoreError['code']): (err: unknown) => false {
  return (err) => {
    if (err instanceof StoreError && err.code === code) return false;
    throw err;
  };
}
