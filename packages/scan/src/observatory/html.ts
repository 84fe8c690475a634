/**
 * The few things Observatory reads from an HTML page: `<meta>` elements and `<script>` elements.
 * A tolerant tag reader, not an HTML parser; comments are skipped, as a parser would skip them.
 */

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

/** Whether a response with this Content-Type is HTML (no Content-Type: sniffed as HTML, as the peer does). */
export function isHtml(contentType: string | undefined): boolean {
  const mime = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return mime === '' || HTML_TYPES.has(mime);
}

function withoutComments(html: string): string {
  return html.replace(/<!--[\s\S]*?-->/g, '');
}

/** The attributes of one start tag: lower-case names → values (entity references left as written). */
function attributesOf(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  const body = tag.replace(/^<[a-z]+/i, '').replace(/\/?>$/, '');
  for (const m of body.matchAll(/([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    const name = m[1]!.toLowerCase();
    if (!out.has(name)) out.set(name, m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

function tags(html: string, name: string): Map<string, string>[] {
  return [...withoutComments(html).matchAll(new RegExp(`<${name}\\b[^>]*>`, 'gi'))].map((m) =>
    attributesOf(m[0]),
  );
}

/** `content` of every `<meta http-equiv=header>` (header compared case-insensitively). */
export function httpEquiv(html: string, header: string): string[] {
  return tags(html, 'meta')
    .filter((a) => a.get('http-equiv')?.toLowerCase() === header && a.has('content'))
    .map((a) => a.get('content')!);
}

/** `content` of every `<meta name=name>` (HTML §4.2.5.2: the name is compared case-insensitively). */
export function metaNamed(html: string, name: string): string[] {
  return tags(html, 'meta')
    .filter((a) => a.get('name')?.toLowerCase() === name && a.has('content'))
    .map((a) => a.get('content')!);
}

/** Every `<script>` element's `src` (null for inline scripts) and `integrity`. */
export function scripts(html: string): { src: string | null; integrity: string | null }[] {
  return tags(html, 'script').map((a) => ({
    src: a.get('src') ?? null,
    integrity: a.get('integrity') ?? null,
  }));
}
