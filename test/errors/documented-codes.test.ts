/**
 * Every stable code a module has is documented, and the docs name no code that does not exist (in the
 * style of fastify's errors test). One row per documented table: adding a module's codes is one row.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { POLICY_ERROR_CODES, POLICY_WARNING_CODES } from 'corsgate/internal/policy/codes.js';
import { DECISION_REASONS } from 'corsgate/internal/policy/evaluate.js';
import { EXPLAIN_INPUT_ERROR_CODES } from '@corsgate/explain/internal/types.js';
import { USAGE_ERROR_CODES } from '@corsgate/scan/internal/http.js';
import type { SavedHeadersErrorCode } from '@corsgate/scan/internal/offline.js';
import type { ImportLimitErrorCode } from '../../src/salesforce/limits.js';
import type { StoreUrlErrorCode } from '../../src/store/index.js';
import { STORE_ERROR_CODES } from '../../src/store/types.js';
import { BACKUP_ERROR_CODES } from '../../src/store/backup.js';
import { codeSpans, compareCodes, markdownSection, readDoc, tableColumn } from '../support/doc-codes.js';

interface DocumentedCodes {
  /** What the codes are, and where the docs list them. */
  what: string;
  codes: readonly string[];
  /** The codes the docs name for them. */
  documented(): string[];
}

const engineErrors = () => markdownSection(readDoc('docs/engine.md'), '## Errors');
/** The codes of one class's table in docs/errors.md (under the exact `heading`). */
const errorsTable = (heading: string) =>
  tableColumn(markdownSection(readDoc('docs/errors.md'), heading), 0).flatMap(codeSpans);

const TABLES: DocumentedCodes[] = [
  {
    what: 'policy validation errors: docs/engine.md, "Errors" table, first column',
    codes: POLICY_ERROR_CODES,
    documented: () => tableColumn(engineErrors(), 0).flatMap(codeSpans),
  },
  {
    what: 'policy validation warnings: docs/engine.md, "Errors", the "Warnings" paragraph',
    codes: POLICY_WARNING_CODES,
    documented: () =>
      codeSpans(
        engineErrors()
          .split('\n\n')
          .find((p) => p.startsWith('Warnings')) ?? '',
      ),
  },
  {
    what: 'decision reasons: docs/engine.md, "`Decision`" table, `reason` row',
    codes: DECISION_REASONS,
    documented: () => {
      const section = markdownSection(readDoc('docs/engine.md'), '### `Decision`');
      const fields = tableColumn(section, 0);
      const row = fields.indexOf('`reason`');
      assert.ok(row >= 0, 'the Decision table has a reason row');
      return codeSpans(tableColumn(section, 1)[row]!);
    },
  },
  {
    what: 'ExplainInputError: docs/errors.md, its table',
    codes: EXPLAIN_INPUT_ERROR_CODES,
    documented: () => errorsTable('## `ExplainInputError` (`corsgate/explain`)'),
  },
  {
    what: 'UsageError and SavedHeadersError: docs/errors.md, their table',
    codes: [...USAGE_ERROR_CODES, 'headers-file-invalid' satisfies SavedHeadersErrorCode],
    documented: () => errorsTable('## `UsageError` and `SavedHeadersError` (`corsgate/scan`)'),
  },
  {
    what: 'ImportLimitError: docs/errors.md, its table',
    codes: ['import-too-large' satisfies ImportLimitErrorCode],
    documented: () => errorsTable('## `ImportLimitError` (Salesforce metadata)'),
  },
  {
    what: 'StoreUrlError, StoreError and BackupError: docs/errors.md, their table',
    codes: ['store-url-invalid' satisfies StoreUrlErrorCode, ...STORE_ERROR_CODES, ...BACKUP_ERROR_CODES],
    documented: () => errorsTable('## `StoreUrlError`, `StoreError` and `BackupError` (stores)'),
  },
];

for (const table of TABLES) {
  test(`documented codes: ${table.what}`, () => {
    const documented = table.documented();
    assert.ok(documented.length > 0, 'the docs list some codes here');
    assert.deepEqual(compareCodes(table.codes, documented), { undocumented: [], unknown: [] });
    assert.equal(new Set(table.codes).size, table.codes.length, 'no code is listed twice in the module');
  });
}

test("documented codes: PolicyError's own code is documented", () => {
  assert.match(engineErrors(), /`PolicyError` \(`code: 'policy-invalid'`\)/);
});

test('documented codes: the comparison names what is missing on each side', () => {
  const doc =
    '## Errors\n\n| Code | Meaning |\n|---|---|\n| `a-one`, `a-two` | x |\n| `a-gone` | y |\n\n## Next\n\n| `a-three` | z |\n';
  const documented = tableColumn(markdownSection(doc, '## Errors'), 0).flatMap(codeSpans);
  assert.deepEqual(documented, ['a-one', 'a-two', 'a-gone']);
  assert.deepEqual(compareCodes(['a-one', 'a-two', 'a-new'], documented), {
    undocumented: ['a-new'],
    unknown: ['a-gone'],
  });
});
