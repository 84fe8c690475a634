/**
 * Bindings to sibling modules built by other parts of corsgate (CSP, Salesforce metadata, scanner).
 * Loaded lazily by path so the gateway starts even in a build where one of them is missing; the
 * feature that needs the module then answers a clear error instead.
 */
import type { TrustedSiteFields } from '../store/types.js';

export interface CspBuild {
  header: string;
  bytes: number;
  warnings: string[];
}

export interface FieldProblem {
  code: string;
  field: string;
  message: string;
}

export interface MetadataBundle {
  corsOrigins: { urlPattern: string; description?: string }[];
  trustedSites: Partial<TrustedSiteFields>[];
  settings: { corsForOAuthEndpoints?: boolean };
}

export interface MetadataProblem {
  code?: string;
  message: string;
  file?: string;
  path?: string;
  field?: string;
  [key: string]: unknown;
}

interface CspModule {
  validateTrustedSite(input: unknown): FieldProblem[];
  buildContentSecurityPolicy(
    sites: readonly TrustedSiteFields[],
    options: { baseline: string },
  ): { header: string; bytes: number; warnings: unknown[] };
}

interface SalesforceModule {
  importMetadata(
    data: Uint8Array | string,
    opts: { filename?: string; contentType?: string },
  ):
    | { bundle: MetadataBundle; problems: MetadataProblem[] }
    | Promise<{ bundle: MetadataBundle; problems: MetadataProblem[] }>;
  exportMetadata(
    bundle: MetadataBundle,
  ):
    | { zip: Uint8Array; files: { path: string; content: string }[] }
    | Promise<{ zip: Uint8Array; files: { path: string; content: string }[] }>;
}

async function tryImport<T>(specifier: string, fn: string): Promise<T | null> {
  try {
    const mod = (await import(specifier)) as Record<string, unknown>;
    return typeof mod[fn] === 'function' ? (mod as T) : null;
  } catch {
    return null;
  }
}

let csp: Promise<CspModule | null> | null = null;
let salesforce: Promise<SalesforceModule | null> | null = null;

export function cspModule(): Promise<CspModule | null> {
  csp ??= tryImport<CspModule>('corsgate/csp', 'buildContentSecurityPolicy');
  return csp;
}

export function salesforceModule(): Promise<SalesforceModule | null> {
  salesforce ??= tryImport<SalesforceModule>('../salesforce/index.js', 'importMetadata');
  return salesforce;
}

export async function scanModule(): Promise<Record<string, unknown> | null> {
  try {
    return (await import('@corsgate/scan' as string)) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function warningText(w: unknown): string {
  if (typeof w === 'string') return w;
  const o = w as { message?: unknown };
  return typeof o?.message === 'string' ? o.message : JSON.stringify(w);
}

/**
 * The CSP header for the active trusted sites followed by the `cspBaseline` setting's directives,
 * or null when the CSP module is unavailable.
 */
export async function buildCsp(
  sites: readonly TrustedSiteFields[],
  baseline: string,
): Promise<CspBuild | null> {
  const mod = await cspModule();
  if (!mod) return null;
  const out = mod.buildContentSecurityPolicy(sites, { baseline });
  return { header: out.header, bytes: out.bytes, warnings: out.warnings.map(warningText) };
}
