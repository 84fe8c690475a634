/** The shapes `scan()` takes and returns (shared by the scanner, offline mode and the reports). */
import type { Finding } from './classify.js';
import type { CspFinding } from './csp-evaluator.js';
import type { HttpOptions } from './http.js';
import type { Grade } from './observatory/index.js';

export interface ScanOptions extends Partial<HttpOptions> {
  /** Origins the user says are legitimate. */
  origins?: string[];
  /** URLs scanned at once. */
  parallel?: number;
  onProgress?: (done: number, total: number, url: string) => void;
}

export interface ScanResult {
  url: string;
  status: number | null;
  finalUrl: string | null;
  redirects: { status: number; location: string }[];
  grade: string | null;
  score: number | null;
  findings: Finding[];
  observatory: Grade | null;
  csp: CspFinding[];
  /** Set when the URL could not be scanned: then nothing above says anything about it. */
  error?: { code: string; message: string };
}
