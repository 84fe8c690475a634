// explain on WebSocket handshakes: CORS does not apply; a refusal reads as each browser prints it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explain } from '@corsgate/explain';

test('explain: a wss: URL refused with 403 — no CORS, and the Chromium console line for a refused handshake', () => {
  const e = explain({
    page: { origin: 'https://evil.example' },
    request: { url: 'wss://chat.example.com/socket' },
    response: { status: 403 },
  });
  assert.equal(e.allowed, false);
  assert.equal(e.preflight, false);
  assert.deepEqual(e.console, [
    "WebSocket connection to 'wss://chat.example.com/socket' failed: Error during WebSocket handshake: Unexpected response code: 403",
  ]);
  assert.match(e.explanation, /CORS does not apply to WebSockets/);
  assert.equal(e.outcome.kind, 'websocket-refused');
  assert.deepEqual(e.requests, [
    { url: 'wss://chat.example.com/socket', method: 'GET', origin: 'https://evil.example' },
  ]);
});

test('explain: Firefox words a refused handshake its own way', () => {
  const e = explain(
    {
      page: { origin: 'https://evil.example' },
      request: { url: 'ws://chat.example.com/s' },
      response: { status: 403 },
    },
    { browser: 'firefox' },
  );
  assert.deepEqual(e.console, [
    'Firefox can’t establish a connection to the server at ws://chat.example.com/s.',
  ]);
});

test('explain: an accepted handshake (101) from any origin warns about cross-site WebSocket hijacking; Access-Control headers change nothing', () => {
  const e = explain({
    page: { origin: 'https://evil.example' },
    request: { url: 'https://chat.example.com/s', headers: { Upgrade: 'websocket' } },
    response: { status: 101, headers: { 'Access-Control-Allow-Origin': 'https://other.example' } },
  });
  assert.equal(e.allowed, true);
  assert.equal(e.outcome.kind, 'websocket-open');
  assert.match(e.explanation, /websocket-origin-not-checked/);
  assert.equal(e.requests[0]!.url, 'wss://chat.example.com/s');
  assert.ok(e.fix);
});
