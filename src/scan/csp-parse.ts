/** A Content-Security-Policy parsed the way browsers do: comma-joined policies, `;`-separated directives. */

export interface ParsedPolicy {
  /** Directive name (lower case) → its values; only the first occurrence of a name counts. */
  directives: Map<string, string[]>;
  /** Directive names that appeared more than once. */
  duplicates: string[];
}

export function parseCsp(header: string): ParsedPolicy[] {
  return header.split(',').map((policy) => {
    const directives = new Map<string, string[]>();
    const duplicates: string[] = [];
    for (const raw of policy.split(';')) {
      const tokens = raw.trim().split(/[\t\n\f\r ]+/).filter(Boolean);
      if (tokens.length === 0) continue;
      const name = tokens[0]!.toLowerCase();
      if (directives.has(name)) duplicates.push(name);
      else directives.set(name, tokens.slice(1));
    }
    return { directives, duplicates };
  }).filter((p) => p.directives.size > 0 || p.duplicates.length > 0);
}

/** CSP3 fallback lists for the effective directive of a fetch. */
const FALLBACK: Record<string, string[]> = {
  'script-src-elem': ['script-src-elem', 'script-src', 'default-src'],
  'script-src-attr': ['script-src-attr', 'script-src', 'default-src'],
  'script-src': ['script-src', 'default-src'],
  'style-src-elem': ['style-src-elem', 'style-src', 'default-src'],
  'style-src-attr': ['style-src-attr', 'style-src', 'default-src'],
  'style-src': ['style-src', 'default-src'],
  'object-src': ['object-src', 'default-src'],
  'img-src': ['img-src', 'default-src'],
  'media-src': ['media-src', 'default-src'],
};

/** The values that govern `directive` in one policy (following fallbacks), or null when unrestricted. */
export function effective(policy: ParsedPolicy, directive: string): string[] | null {
  for (const name of FALLBACK[directive] ?? [directive]) {
    const v = policy.directives.get(name);
    if (v !== undefined) return v;
  }
  return null;
}
