/**
 * WebSocket cases: a `ws:`/`wss:` URL, or a request carrying `Upgrade: websocket`. CORS does not
 * apply to them: Fetch's "establish a WebSocket connection" sends the page's `Origin` on the
 * handshake and runs no CORS check on the answer (RFC 6455 §4.1; §10.2 leaves checking Origin to
 * the server). So no Access-Control-* header can allow or block a socket: the server accepts
 * (`101 Switching Protocols`) or refuses (any other status), and a server that never checks Origin
 * lets any site open the socket with the user's cookies (cross-site WebSocket hijacking).
 */
import { toHeaderList, getHeader } from 'corsgate/internal/http/headers.js';
import type { BrowserModel } from './browsers.js';
import { ExplainInputError, type ExplainInput, type Explanation, type ResponseInput } from './types.js';

/**
 * What each browser prints when the handshake is refused. Chromium: Blink's WebSocketChannelImpl
 * prefixes "WebSocket connection to '<url>' failed: " to the network stack's reason, which for a
 * status other than 101 is "Error during WebSocket handshake: Unexpected response code: <status>"
 * (net/websockets/websocket_basic_handshake_stream.cc); checked against real Chromium in
 * test/gateway/edges-browser.test.ts. Firefox: dom.properties' ConnectionFailure, "%S can’t
 * establish a connection to the server at %S." with the brand name.
 */
const REFUSED: Record<string, (url: string, status: number) => string> = {
  chromium: (url, status) =>
    `WebSocket connection to '${url}' failed: Error during WebSocket handshake: Unexpected response code: ${status}`,
  firefox: (url) => `Firefox can’t establish a connection to the server at ${url}.`,
};

/** Whether the input is a WebSocket handshake rather than a fetch. */
export function isWebSocketCase(input: ExplainInput): boolean {
  const url = typeof input?.request?.url === 'string' ? input.request.url.trim() : '';
  if (/^wss?:/i.test(url)) return true;
  try {
    return (
      (getHeader(toHeaderList(input?.request?.headers as never), 'Upgrade') ?? '').trim().toLowerCase() ===
      'websocket'
    );
  } catch {
    return false;
  }
}

/** The handshake URL as the page wrote it (ws:/wss:), from an http(s) one when given that way. */
function socketUrl(raw: string): URL {
  try {
    return new URL(raw.trim().replace(/^http(s?):/i, 'ws$1:'));
  } catch {
    throw new ExplainInputError(
      'url-invalid',
      'request.url',
      `'${raw}' is not a WebSocket URL (ws://… or wss://…)`,
    );
  }
}

function statusOf(res: ResponseInput | undefined): number | null {
  if (res === undefined || res.networkError !== undefined) return null;
  if (res.status === undefined) return null;
  if (!Number.isInteger(res.status) || res.status < 100 || res.status > 599)
    throw new ExplainInputError(
      'status-invalid',
      'response.status',
      `'${String(res.status)}' is not an HTTP status`,
    );
  return res.status;
}

export function explainWebSocket(input: ExplainInput, model: BrowserModel): Explanation {
  const url = socketUrl(input.request.url);
  const origin = input.page?.origin ?? null;
  const status = statusOf(input.response);
  const opened = status === 101;
  const base = {
    id: 'websocket',
    title: 'WebSocket handshake: no CORS',
    outcome: 'info' as const,
    detail: `The browser sends the handshake with Origin: ${origin ?? '(the page origin)'} and applies no CORS check to the answer: Access-Control-* headers neither allow nor block a socket. Only the server decides, by answering 101 or refusing.`,
    spec: '#websocket-opening-handshake',
  };
  const verdict =
    status === null
      ? 'A WebSocket handshake: CORS does not apply; the server must check Origin itself.'
      : opened
        ? 'The server accepted the WebSocket handshake (101): the page has the socket, whatever its origin.'
        : `The server refused the WebSocket handshake (${status}): the socket fails.`;
  const refusal =
    REFUSED[model.name]?.(url.href, status ?? 403) ?? REFUSED.chromium!(url.href, status ?? 403);
  const explanation =
    "CORS does not apply to WebSockets. The browser sends the page's Origin on the handshake but never checks the answer against it, so a server (or corsgate serve) must refuse handshakes from origins it does not trust: " +
    `a refused handshake is any status but 101, and ${model.label}'s console then shows: ${refusal}` +
    (opened
      ? " This one was accepted: if the server does not check Origin, any site can open this socket with the user's cookies (cross-site WebSocket hijacking; corsgate scan reports it as websocket-origin-not-checked)."
      : '');
  return {
    preflight: false,
    actualRequestSent: true,
    allowed: opened,
    responseType: status === null || opened ? 'basic' : 'error',
    exposedHeaders: null,
    console: status !== null && !opened ? [REFUSED[model.name]?.(url.href, status) ?? refusal] : [],
    explanation,
    fix: opened
      ? {
          summary:
            'Refuse handshakes whose Origin is not trusted (403): corsgate serve decides them with the route’s allowlist.',
          where: 'response',
          policy: origin ? { origins: [origin], credentials: true } : undefined,
        }
      : null,
    verdict,
    steps: [
      base,
      {
        id: 'websocket-answer',
        title: 'The handshake answer',
        outcome: status === null ? 'info' : opened ? 'pass' : 'fail',
        detail:
          status === null
            ? 'No answer given: 101 opens the socket, anything else fails it.'
            : opened
              ? '101 Switching Protocols: the socket is open.'
              : `Status ${status}: the browser fails the connection (RFC 6455 §4.1, client requirement 1 of the handshake answer).`,
      },
    ],
    requests: [{ url: url.href, method: 'GET', origin }],
    browser: { name: model.name, version: model.version },
    outcome: {
      kind: status === null ? 'websocket' : opened ? 'websocket-open' : 'websocket-refused',
      ...(status !== null && !opened ? { reason: 'handshake-refused', hint: String(status) } : {}),
    },
    departures: [],
  };
}
