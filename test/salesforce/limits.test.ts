// The bounded zip reader and XML limits in-process (src/salesforce/zip.ts, xml.ts): each limit is
// refused with an ImportLimitError naming it, and an entry that is not asked for is never inflated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IMPORT_LIMITS, ImportLimitError } from '../../src/salesforce/limits.js';
import { parseXml } from '../../src/salesforce/xml.js';
import { unzipBounded } from '../../src/salesforce/zip.js';
import { buildZip } from '../support/zipbomb.js';

const limitOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ImportLimitError) return err.limit;
    throw err;
  }
  return null;
};

test('zip: entries, declared and actual size, ratio; unwanted entries are listed, never inflated', () => {
  const all = () => true;
  assert.equal(
    limitOf(() => unzipBounded(buildZip([{ name: 'a', mib: 16 }]), all)),
    'maxEntryBytes',
  );
  assert.equal(
    limitOf(() => unzipBounded(buildZip([{ name: 'a', mib: 16, declaredSize: 10 }]), all)),
    'maxCompressionRatio',
  );
  assert.equal(
    limitOf(() => unzipBounded(buildZip([{ name: 'a', mib: 16, dataDescriptor: true }]), all)),
    'maxCompressionRatio',
  );
  const many = buildZip(
    Array.from({ length: IMPORT_LIMITS.maxEntries + 1 }, (_, i) => ({ name: `f${i}`, content: '' })),
  );
  assert.equal(
    limitOf(() => unzipBounded(many, all)),
    'maxEntries',
  );
  const files = unzipBounded(
    buildZip([
      { name: 'bomb.bin', mib: 256 },
      { name: 'a.txt', content: 'hello', dataDescriptor: true },
      { name: '__proto__', content: 'x' },
    ]),
    (n) => n !== 'bomb.bin',
  );
  assert.equal(files['bomb.bin'], null);
  assert.equal(Buffer.from(files['a.txt']!).toString(), 'hello');
  assert.equal(Buffer.from(files['__proto__']!).toString(), 'x', 'an entry named __proto__ is only a name');
  assert.throws(
    () => unzipBounded(buildZip([{ name: 'a', content: 'x' }]).subarray(0, 40), all),
    /truncated/,
  );
});

test('XML: size, depth, elements and entity expansions', () => {
  const doc = (inner: string) => `<?xml version="1.0"?><R>${inner}</R>`;
  assert.equal(
    limitOf(() => parseXml(doc('<a>'.repeat(40) + '</a>'.repeat(40)))),
    'maxXmlDepth',
  );
  assert.equal(
    limitOf(() => parseXml(doc('<a/>'.repeat(IMPORT_LIMITS.maxXmlElements + 1)))),
    'maxXmlElements',
  );
  assert.equal(
    limitOf(() => parseXml(doc('&lt;'.repeat(IMPORT_LIMITS.maxEntityExpansions + 1)))),
    'maxEntityExpansions',
  );
  assert.equal(
    limitOf(() => parseXml(doc('x'.repeat(IMPORT_LIMITS.maxEntryBytes)))),
    'maxEntryBytes',
  );
  // Within every limit, and counted per document (not across documents).
  for (let i = 0; i < 3; i++)
    assert.equal(parseXml(doc('<a>&lt;</a>'.repeat(IMPORT_LIMITS.maxEntityExpansions * 0.9))).ok, true);
  assert.equal(parseXml(doc('<a>'.repeat(20) + '</a>'.repeat(20))).ok, true);
});
