/**
 * Offline mode: grade saved response headers (raw HTTP, a HAR file, or JSON) without any network
 * access. Only what one response can show is reported: `*`, invalid values, the grade and the CSP.
 */
import { CorsgateError } from 'corsgate/internal/errors.js';
import { classify, type ProbeResult } from './classify.js';
import { evaluateCsp } from './csp-evaluator.js';
import type { ScanResult } from './types.js';
import { grade } from './observatory/index.js';
import { hostOfOrigin, isThirdPartyHost } from './platforms.js';
import { targetOf } from './probes.js';

/** The one code of SavedHeadersError: the saved headers cannot be read as raw HTTP, HAR or JSON. */
export type SavedHeadersErrorCode = 'headers-file-invalid';

export class SavedHeadersError extends CorsgateError<SavedHeadersErrorCode> {
  constructor(message: string) {
    super('headers-file-invalid', message);
  }
}

interface Saved {
  url: string;
  status: number;
  headers: Record<string, string>;
  setCookies: string[];
}

function add(saved: Saved, name: string, value: string): void {
  const n = name.trim().toLowerCase();
  if (n === 'set-cookie') saved.setCookies.push(value);
  else saved.headers[n] = saved.headers[n] === undefined ? value : `${saved.headers[n]}, ${value}`;
}

function fromRaw(text: string, url: string): Saved[] {
  const blocks = text.replace(/\r\n/g, '\n').split(/\n(?=HTTP\/\d)/);
  return blocks.map((block) => {
    const lines = block.trim().split('\n');
    const m = /^HTTP\/[\d.]+\s+(\d{3})/.exec(lines[0] ?? '');
    if (!m)
      throw new SavedHeadersError('a raw response must start with a status line such as "HTTP/1.1 200 OK"');
    const saved: Saved = { url, status: Number(m[1]), headers: {}, setCookies: [] };
    for (const line of lines.slice(1)) {
      if (line.trim() === '') break;
      const i = line.indexOf(':');
      if (i > 0) add(saved, line.slice(0, i), line.slice(i + 1).trim());
    }
    return saved;
  });
}

function fromJson(data: unknown, url: string): Saved[] {
  const log = (data as { log?: { entries?: unknown[] } }).log;
  if (log && Array.isArray(log.entries)) {
    return log.entries.map((e) => {
      const entry = e as {
        request?: { url?: string };
        response?: { status?: number; headers?: { name: string; value: string }[] };
      };
      const saved: Saved = {
        url: entry.request?.url ?? url,
        status: entry.response?.status ?? 0,
        headers: {},
        setCookies: [],
      };
      for (const h of entry.response?.headers ?? []) add(saved, h.name, h.value);
      return saved;
    });
  }
  const items = Array.isArray(data) ? data : [data];
  return items.map((item) => {
    const o = item as { url?: string; status?: number; headers?: Record<string, string | string[]> };
    const headers = o.headers ?? (item as Record<string, string>);
    const saved: Saved = { url: o.url ?? url, status: o.status ?? 200, headers: {}, setCookies: [] };
    for (const [n, v] of Object.entries(headers))
      for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string') add(saved, n, x);
    return saved;
  });
}

/**
 * The origin a saved answer allows, for the fix: one serialized origin that is not a platform where
 * anyone publishes (the only legitimate origin one response can show).
 */
function namedOrigin(acao: string | undefined): string[] {
  const v = acao?.trim();
  if (!v || v === '*' || v === 'null' || !URL.canParse(v) || new URL(v).origin !== v) return [];
  return isThirdPartyHost(hostOfOrigin(v) ?? '') ? [] : [v];
}

/** Analyses saved headers. `url` is where they came from (it decides https-only tests). */
export function analyseSaved(text: string, url = 'https://saved.invalid/'): ScanResult[] {
  const trimmed = text.trim();
  let saved: Saved[];
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      saved = fromJson(JSON.parse(trimmed), url);
    } catch (err) {
      if (err instanceof SavedHeadersError) throw err;
      throw new SavedHeadersError(`not valid JSON: ${(err as Error).message}`);
    }
  } else saved = fromRaw(trimmed, url);
  return saved.map((s) => {
    let parsedUrl: URL;
    try {
      parsedUrl = new URL(s.url);
    } catch {
      throw new SavedHeadersError(
        `'${s.url}' is not a URL: give the URL the headers came from, such as https://api.example.com/`,
      );
    }
    const target = targetOf(parsedUrl);
    const pseudo: ProbeResult = {
      probe: { class: 'own-origin', method: 'GET', origin: '', headers: {}, note: 'saved response' },
      url: s.url,
      status: s.status,
      headers: s.headers,
    };
    const g = grade({
      response: { url: s.url, status: s.status, headers: s.headers, setCookies: s.setCookies },
    });
    return {
      url: s.url,
      status: s.status,
      finalUrl: s.url,
      redirects: [],
      grade: g.grade,
      score: g.score,
      findings: classify(target, [pseudo], namedOrigin(s.headers['access-control-allow-origin'])),
      observatory: g,
      csp: s.headers['content-security-policy'] ? evaluateCsp(s.headers['content-security-policy']) : [],
    };
  });
}
