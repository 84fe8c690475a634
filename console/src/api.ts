/**
 * The console's only way to the server: the same admin REST API everyone uses. The token travels in
 * the Authorization header (never a cookie, never a URL) and lives in sessionStorage for the tab.
 */
import type { Permission } from '../../src/store/types.js';
import type { Me } from '../../src/gateway/admin/types.js';

export type { Me, Permission };

export interface ApiProblem {
  code: string;
  message: string;
  field?: string;
  path?: string;
  /** The metadata file a problem is in (imports). */
  file?: string;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly body?: unknown,
  ) {
    super(message);
  }
  /** The API's fix hint, when it gives one (e.g. "did you mean https://…?"). */
  get hint(): string | undefined {
    return (this.body as { error?: { hint?: string } } | null)?.error?.hint;
  }
  /** Every problem when the API found more than one (bulk checks, imports). */
  get problems(): ApiProblem[] {
    return (this.body as { error?: { problems?: ApiProblem[] } } | null)?.error?.problems ?? [];
  }
}

const KEY = 'corsgate.token';

export const session = {
  get token(): string | null {
    return sessionStorage.getItem(KEY);
  },
  set token(value: string | null) {
    if (value === null) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, value);
  },
};

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  raw?: { data: Blob | ArrayBuffer; contentType: string },
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  let payload: BodyInit | undefined;
  if (raw) {
    headers['Content-Type'] = raw.contentType;
    payload = raw.data;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers, body: payload });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; field?: string } } | null)?.error;
    throw new ApiFailure(
      res.status,
      e?.code ?? `http-${res.status}`,
      e?.message ?? (text || res.statusText),
      e?.field,
      json,
    );
  }
  return json as T;
}

export async function download(path: string, filename: string): Promise<void> {
  const res = await fetch(path, {
    headers: session.token ? { Authorization: `Bearer ${session.token}` } : {},
  });
  if (!res.ok) throw new ApiFailure(res.status, `http-${res.status}`, await res.text());
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  URL.revokeObjectURL(url);
}

/** Whether the token holds the permission (the server's own answer: /api/me lists effective permissions). */
export function can(me: Me | null, permission: Permission): boolean {
  return me?.permissions.includes(permission) ?? false;
}

/** Whether the console may change policy with this permission: the token holds it and the gateway is not read-only. */
export function canChange(me: Me | null, permission: Permission): boolean {
  return can(me, permission) && me?.readOnly === false;
}
