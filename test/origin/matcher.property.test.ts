/**
 * Property test: the compiled matcher (hash set + reversed-label trie) against a slow, obviously
 * correct reference that scans every pattern and parses the origin with the WHATWG URL parser.
 * Patterns and origins are drawn from small alphabets so that near-misses (suffix confusion, apex,
 * other scheme/port, case, trailing dot/slash, default ports, empty labels) are common.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  checkOriginPattern,
  compileOriginMatcher,
  isSerializedOrigin,
  parseOrigin,
  serializeOrigin,
  type OriginPattern,
} from 'corsgate/internal/origin/index.js';

type Concrete = Exclude<OriginPattern, { kind: 'any' }>;

/** The obviously correct reference: is `origin` a serialized origin that one of `patterns` describes? */
function referenceAllows(patterns: readonly OriginPattern[], origin: string): boolean {
  if (patterns.some((p) => p.kind === 'any')) return true;
  // Extension origins have no URL-Standard tuple origin (URL#origin is "null"): compare them as text.
  if (!/^https?:/.test(origin))
    return patterns.some((p) => p.kind === 'exact' && p.port !== '*' && p.source === origin);
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.origin !== origin) return false; // not exactly the serialization of an origin
  const scheme = url.protocol.slice(0, -1);
  const host = url.hostname;
  for (const p of patterns as readonly Concrete[]) {
    if (p.scheme !== scheme) continue;
    const portOk = p.port === '*' || url.port === (p.port === null ? '' : String(p.port));
    if (!portOk) continue;
    if (p.kind === 'exact' && host === p.host) return true;
    if (p.kind === 'subdomains' && host.endsWith(`.${p.host}`)) {
      const sub = host.slice(0, -p.host.length - 1);
      if (sub.split('.').every((l) => l.length > 0 && l.length <= 63 && /^[a-z0-9_-]+$/.test(l))) return true;
    }
  }
  return false;
}

const LABELS = [
  'a',
  'b',
  'ab',
  'ba',
  'foo',
  'bar',
  'foobar',
  'example',
  'evil',
  'com',
  'org',
  'co',
  'uk',
  'io',
  'xn--p1ai',
  'a-b',
  'a_b',
  '0',
  '1',
];
const HOSTILE_LABELS = [
  'A',
  'Foo',
  '',
  '-',
  'a b',
  '*',
  '%41',
  'é',
  '..',
  '[',
  ':1',
  '@',
  '/',
  'com.',
  'ex*ample',
  'xn--f',
  'xn--',
  '-a',
  'a-',
];
const SCHEMES = ['https', 'http', 'HTTPS', 'ftp', 'ws'];
const PORTS = ['', ':443', ':80', ':8080', ':8443', ':08080', ':0', ':65536', ':*', ':'];

const label = fc.constantFrom(...LABELS);
const anyLabel = fc.oneof(
  { weight: 5, arbitrary: label },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_LABELS) },
);
const domain = fc.array(label, { minLength: 2, maxLength: 4 }).map((ls) => ls.join('.'));

const patternSource = fc
  .tuple(
    fc.constantFrom('https', 'http'),
    fc.boolean(),
    domain,
    fc.constantFrom('', '', ':8080', ':8443', ':*'),
  )
  .map(([s, wild, d, port]) => `${s}://${wild ? '*.' : ''}${d}${port}`);
const loopbackPattern = fc.constantFrom(
  'http://localhost:*',
  'http://localhost',
  'http://127.0.0.1:*',
  'http://[::1]:8080',
  'https://[2001:db8::1]',
  'https://192.0.2.10:*',
);

const patternsArb = fc
  .array(fc.oneof({ weight: 6, arbitrary: patternSource }, { weight: 1, arbitrary: loopbackPattern }), {
    minLength: 1,
    maxLength: 24,
  })
  .map((sources) => {
    const out: OriginPattern[] = [];
    for (const s of sources) {
      const { pattern } = checkOriginPattern(s);
      if (pattern) out.push(pattern); // public-suffix wildcards etc. are refused at compile time
    }
    return out;
  });

const randomOrigin = fc
  .tuple(
    fc.constantFrom(...SCHEMES),
    fc.array(anyLabel, { minLength: 1, maxLength: 5 }),
    fc.constantFrom(...PORTS),
    fc.constantFrom('', '', '', '/', '.', '/x'),
  )
  .map(([s, ls, port, tail]) => `${s}://${ls.join('.')}${port}${tail}`);

/** Near-misses derived from the patterns themselves: the most likely places for a bug. */
function variantsOf(p: OriginPattern): string[] {
  if (p.kind === 'any') return [];
  const base = p.host;
  const port = p.port === null || p.port === '*' ? '' : `:${p.port}`;
  const s = p.scheme;
  const other = s === 'https' ? 'http' : 'https';
  const hosts = [
    base,
    `a.${base}`,
    `b.a.${base}`,
    `x${base}`,
    `${base}.evil.com`,
    `${base}_.evil.com`,
    `evil-${base}`,
    `A.${base}`,
    `a.${base}.`,
    `.${base}`,
    `a..${base}`,
    `${base.split('.').slice(1).join('.')}`,
    `a.b.c.d.e.f.${base}`,
    `${'a'.repeat(64)}.${base}`,
  ];
  const ports = [port, '', ':8080', ':8443', ':443', ':80', ':08080', ':1'];
  const out: string[] = [];
  for (const h of hosts) for (const pt of ports) out.push(`${s}://${h}${pt}`);
  out.push(
    `${other}://${base}${port}`,
    `${s}://${base}${port}/`,
    `${s.toUpperCase()}://${base}${port}`,
    `${s}://a.${base}${port}/`,
  );
  return out;
}

test('compiled matcher agrees with the reference on generated and hostile origins', () => {
  let checks = 0;
  fc.assert(
    fc.property(
      patternsArb,
      fc.array(randomOrigin, { minLength: 20, maxLength: 60 }),
      (patterns, randoms) => {
        const matcher = compileOriginMatcher(patterns);
        const origins = [...randoms, ...patterns.flatMap(variantsOf)];
        for (const o of origins) {
          checks++;
          const expected = referenceAllows(patterns, o);
          if (isSerializedOrigin(o) !== (parseOrigin(o) !== null))
            throw new Error(`isSerializedOrigin disagrees with parseOrigin on ${JSON.stringify(o)}`);
          if (matcher.allows(o) !== expected) {
            throw new Error(
              `mismatch for ${JSON.stringify(o)}: reference ${expected}; patterns ${patterns.map((p) => p.source).join(' ')}`,
            );
          }
        }
      },
    ),
    { numRuns: 5000, seed: Number(process.env.FC_SEED ?? 20261122) },
  );
  process.stdout.write(`# matcher property: ${checks} origin checks\n`);
  assert.ok(checks > 2_000_000, `ran ${checks} checks`);
});

test('with many patterns, matching still agrees (spot checks against the reference)', () => {
  const sources: string[] = [];
  for (let i = 0; i < 20000; i++)
    sources.push(
      i % 3 === 0 ? `https://*.t${i}.example.com` : `https://h${i}.example.com${i % 5 === 0 ? ':8443' : ''}`,
    );
  const patterns = sources.map((s) => checkOriginPattern(s).pattern!);
  const matcher = compileOriginMatcher(patterns);
  for (let i = 0; i < 20000; i += 97) {
    for (const o of [
      `https://h${i}.example.com`,
      `https://h${i}.example.com:8443`,
      `https://x.t${i}.example.com`,
      `https://t${i}.example.com`,
      `https://x.t${i}.example.com.evil.com`,
    ]) {
      assert.equal(matcher.allows(o), referenceAllows(patterns, o), o);
    }
  }
});

/** Pattern strings built from pieces that are each a known trap: the checker must never throw, and must only accept canonical text. */
const PATTERN_PIECES = [
  'https://',
  'http://',
  'HTTPS://',
  'chrome-extension://',
  'file://',
  'ftp://',
  '*.',
  '*',
  '.',
  'a',
  'example',
  'com',
  'co.uk',
  'github.io',
  'localhost',
  '127.0.0.1',
  '[::1]',
  '[2001:DB8::1]',
  'xn--p1ai',
  'xn--f',
  'é',
  'A',
  ':',
  ':443',
  ':80',
  ':8080',
  ':0',
  ':65536',
  ':08080',
  ':*',
  '/',
  '?',
  '#',
  '@',
  'user:pw@',
  ' ',
  '\t',
  '%41',
  '_',
  '-',
  'null',
];

test('checkOriginPattern never throws and accepts only canonical spellings, on generated hostile patterns', () => {
  let accepted = 0;
  let checked = 0;
  fc.assert(
    fc.property(
      fc.oneof(fc.constantFrom('https://', 'http://', 'https://*.', ''), fc.constantFrom(...PATTERN_PIECES)),
      fc.array(fc.constantFrom(...PATTERN_PIECES), { minLength: 1, maxLength: 6 }),
      (start, pieces) => {
        const source = start + pieces.join('');
        const { pattern, problem } = checkOriginPattern(source);
        checked++;
        if ((pattern === null) === (problem === null))
          throw new Error(`${JSON.stringify(source)}: exactly one of pattern and problem expected`);
        if (problem !== null) {
          if (!/^origin-[a-z-]+$/.test(problem.code) || problem.message.length === 0)
            throw new Error(`${JSON.stringify(source)}: bad problem ${JSON.stringify(problem)}`);
          return;
        }
        accepted++;
        const p = pattern!;
        if (p.kind === 'any') return;
        // The source is exactly the serialization of the parts, so the matcher may key on it.
        const port = p.port === null ? '' : `:${p.port}`;
        const rebuilt = `${p.scheme}://${p.kind === 'subdomains' ? '*.' : ''}${p.host}${port}`;
        if (rebuilt !== p.source)
          throw new Error(`${JSON.stringify(source)} accepted but its parts serialize as ${rebuilt}`);
        // With a concrete label and port in place of the wildcards, it is a serialized origin.
        const concrete = `${p.scheme}://${p.kind === 'subdomains' ? 'x.' : ''}${p.host}${p.port === '*' ? ':8443' : port}`;
        const o = parseOrigin(concrete);
        if (o === null || serializeOrigin(o) !== concrete)
          throw new Error(`${JSON.stringify(source)} accepted but ${concrete} is not a serialized origin`);
      },
    ),
    { numRuns: 30000, seed: Number(process.env.FC_SEED ?? 20261129) },
  );
  process.stdout.write(`# pattern property: ${checked} patterns, ${accepted} accepted\n`);
  assert.ok(
    accepted > 500,
    `only ${accepted} generated patterns were accepted: the generator is too hostile to test acceptance`,
  );
});
