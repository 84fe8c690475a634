/**
 * The admin API's answers that the console reads too: a file without Node imports, so the console
 * imports these types instead of redeclaring them (as fleet/types.ts does for GET /api/nodes).
 */
import type { Permission } from '../../store/types.js';

/** `GET /api/me`: the token's effective permissions (the server applies the lattice) and the gateway's mode. */
export interface Me {
  name: string;
  tokenId: string;
  permissions: Permission[];
  /** The gateway runs from a policy file (--policy): every policy write is refused, whatever the token. */
  readOnly: boolean;
  policyFile: string | null;
}

/** `POST /api/scans`: what to scan. */
export interface ScanInput {
  url: string;
  /** Origins the admin says are legitimate (the CLI's --origin). */
  origins?: string[];
  /** curl-style host:port:address entries (the CLI's --resolve). */
  resolve?: string[];
  /** A Cookie header sent with every probe (the CLI's --cookie); never stored or echoed. */
  cookie?: string;
}

/** A scan job as `GET /api/scans/{id}` answers it; `Result` is the scanner's ScanResult. */
export interface ScanJob<Result = unknown> {
  id: string;
  url: string;
  status: 'running' | 'done' | 'failed';
  progress: { done: number; total: number };
  createdAt: string;
  createdBy: string;
  options: { origins: string[]; resolve: string[]; cookie: boolean };
  results?: Result[];
  error?: { code: string; message: string };
}

/** A scan in `GET /api/scans`: without its results, with a summary of its first one. */
export type ScanListItem = Omit<ScanJob, 'results'> & {
  summary?: { grade: string | null; findings: number; error?: { code: string; message: string } };
};
