/** What Salesforce metadata import and export read and produce (types only, for every side). */
import type { TrustedSite } from 'corsgate/internal/csp/index.js';

export interface CorsOriginRecord {
  urlPattern: string;
  description?: string;
  /** The component's name in the org (its file name), exported under it. */
  fullName?: string;
}

export interface MetadataBundle {
  corsOrigins: CorsOriginRecord[];
  trustedSites: TrustedSite[];
  settings: { corsForOAuthEndpoints?: boolean };
}

export interface MetadataProblem {
  severity: 'error' | 'warning';
  code: string;
  file: string;
  field?: string;
  /** The refused pattern, for a `urlPattern` problem (so an importer can word its own fix). */
  urlPattern?: string;
  message: string;
}

export interface ImportHint {
  filename?: string;
  contentType?: string;
  /** The API version when the upload declares none (`?apiVersion=` of the import), e.g. `47.0`. */
  apiVersion?: string;
}

export interface ImportOutcome {
  bundle: MetadataBundle;
  problems: MetadataProblem[];
  /** The file each bundle entry came from, index for index. */
  sources: { corsOrigins: string[]; trustedSites: string[] };
}
