/** Which refused request header each browser names when a preflight allows several of them not (issue 15). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { explain, type ExplainInput } from '@corsgate/explain';
import { blinkHeaderOrder } from '@corsgate/explain/internal/blink-header-order.js';

const PAGE = 'https://app.example.com';
const API = 'https://api.example.net/v1/items';
const base = (
  over: Partial<ExplainInput['request']>,
  preflightResponse: ExplainInput['preflightResponse'],
): ExplainInput => ({
  page: { origin: PAGE },
  request: { url: API, ...over },
  response: { status: 200, headers: { 'Access-Control-Allow-Origin': PAGE } },
  preflightResponse,
});

describe("Chromium's header order (preflight_result.cc walks Blink's header map)", () => {
  // Recorded in Chromium 156: the header its console names when a preflight allows none of them.
  const recorded: Array<[string[], string, string]> = [
    [['x-a', 'x-b', 'authorization'], 'http://localhost:1/', 'authorization'],
    [['authorization', 'x-b', 'x-a'], 'http://localhost:1/', 'authorization'],
    [['X-A', 'X-B', 'X-C'], 'http://localhost:1/', 'x-c'],
    [['x-custom', 'h2', 'qux', 'h1'], 'http://localhost:1/', 'x-custom'],
    [['x-custom', 'h2', 'qux', 'h1'], 'http://api.test/', 'h2'],
    [['h1', 'h2', 'h3'], 'http://localhost:1/', 'h2'],
    [Array.from({ length: 12 }, (_, i) => `h${i + 1}`), 'http://localhost:1/', 'h1'],
    [Array.from({ length: 12 }, (_, i) => `h${i + 1}`), 'http://api.test/', 'h7'],
    [
      ['h1', 'cache-control', 'x-b', 'h5', 'x-a', 'x-csrf-token', 'if-match', 'baz', 'bar', 'x-api-key'],
      'http://localhost:1/',
      'baz',
    ],
    [
      ['foo', 'x-trace-id', 'h4', 'if-match', 'content-type', 'cache-control', 'x-requested-with'],
      'http://localhost:1/',
      'cache-control',
    ],
  ];
  for (const [names, url, named] of recorded) {
    test(`${names.join(', ')} at ${new URL(url).host}: ${named}`, () => {
      assert.equal(
        blinkHeaderOrder(names, 'fetch', new URL(url)).find((n) =>
          names.map((x) => x.toLowerCase()).includes(n),
        ),
        named,
      );
    });
  }
  test('issue 15: x-a, x-b and authorization, none allowed: Chromium and Firefox both name authorization', () => {
    const input = base(
      {
        headers: [
          ['x-a', '1'],
          ['x-b', '1'],
          ['Authorization', 'Bearer x'],
        ],
      },
      {
        status: 204,
        headers: { 'Access-Control-Allow-Origin': PAGE, 'Access-Control-Allow-Headers': 'x-other' },
      },
    );
    assert.match(explain(input).console[0]!, /Request header field authorization is not allowed/);
    assert.match(explain(input, { browser: 'firefox' }).console[0]!, /header ‘authorization’ is not allowed/);
  });
  test("the order is the table's, not the request's: reversing the headers names the same one", () => {
    const named = (headers: [string, string][]) =>
      explain(base({ headers }, { status: 204, headers: { 'Access-Control-Allow-Origin': PAGE } }))
        .console[0];
    assert.equal(
      named([
        ['x-custom', '1'],
        ['h2', '1'],
        ['qux', '1'],
      ]),
      named([
        ['qux', '1'],
        ['h2', '1'],
        ['x-custom', '1'],
      ]),
    );
  });
});
