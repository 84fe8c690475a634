/**
 * Logs through pino: JSON lines on stdout, one access-log line per request, and a short readable
 * line instead when stdout is a terminal. Nothing secret is ever logged: the access line names
 * only the method, path, host and origin, never a header such as Authorization or Cookie (and
 * pino's `redact` censors those keys should any object carrying them be logged by mistake).
 *
 * With several workers every process writes to the same stdout; sonic-boom writes whole lines
 * and never more than PIPE_BUF bytes at once, so lines from two workers never interleave.
 */
import { fstatSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import pino, { type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import type { Outcome } from './core/decide.js';

export const LOG_LEVELS: readonly LevelWithSilent[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

/** Linux's PIPE_BUF: a write of at most this many bytes to a pipe is never split (pipe(7)). */
const PIPE_BUF = 4096;
/** The longest a log line waits in the buffer. */
const FLUSH_MS = 100;

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const OWN_KEYS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'worker']);

/** One JSON line as a terminal line: `12:00:01 INFO msg key=value …`. */
export function prettyLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = new Date(typeof o.time === 'number' ? o.time : Date.now()).toTimeString().slice(0, 8);
  const fields = Object.entries(o)
    .filter(([k]) => !OWN_KEYS.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const msg = typeof o.msg === 'string' ? o.msg : '';
  return `${time} ${LEVEL_NAMES[o.level as number] ?? String(o.level)} ${msg}${msg && fields ? ' ' : ''}${fields}\n`;
}

/**
 * The process's logger. `forAccess` builds the access logger, which skips pino's `redact` (it costs
 * about 6 µs a line, and the access line is built field by field from names that are never secret).
 */
export function createLogger(
  level: LevelWithSilent,
  pretty = process.stdout.isTTY === true,
  forAccess = false,
): Logger {
  const options = {
    level,
    base: { pid: process.pid },
    ...(forAccess
      ? {}
      : {
          redact: {
            paths: [
              'authorization',
              'cookie',
              'token',
              '*.authorization',
              '*.cookie',
              '*.token',
              'headers.authorization',
              'headers.cookie',
            ],
            censor: '[redacted]',
          },
        }),
  };
  if (pretty) return pino(options, { write: (line: string) => void process.stdout.write(prettyLine(line)) });
  return pino(options, destination());
}

/** The batch written to a regular file at once (a file's writes need not stay within PIPE_BUF). */
const FILE_WRITE = 64 * 1024;

let stdout: ReturnType<typeof pino.destination> | null = null;
let lines: DestinationStream | null = null;

/** Whether stdout is a regular file (`> access.log`), not a pipe, socket or terminal. */
function stdoutIsFile(): boolean {
  try {
    return fstatSync(1).isFile();
  } catch {
    return false;
  }
}

/**
 * One asynchronous, line-whole writer to stdout per process, shared by its loggers. Lines are
 * gathered into batches, or written 100 ms after the first of them waits: one write per line would
 * cost a thread-pool round trip per request, and a flush on a fixed clock would wake an idle
 * process ten times a second for nothing. On a pipe a batch stays within PIPE_BUF, so that the lines of several
 * workers never interleave; on a regular file it may be 64 KB, as Linux keeps each write(2) to a
 * file whole and at its own offset for every process sharing the open file (write(2), BUGS: fixed
 * in Linux 3.14).
 *
 * The batch is kept as Buffers (sonic-boom's `buffer` mode), each line encoded once: in its
 * default mode sonic-boom measures the whole pending string again (`Buffer.byteLength`, which
 * flattens it) for every line it appends, a cost that grows with the batch.
 */
function destination(): DestinationStream {
  if (lines === null) {
    const max = stdoutIsFile() ? FILE_WRITE : PIPE_BUF;
    const boom = pino.destination({
      dest: 1,
      sync: false,
      minLength: max - 1024,
      maxWrite: max,
      contentMode: 'buffer',
    });
    stdout = boom;
    let armed = false;
    const flush = () => {
      armed = false;
      boom.flush();
    };
    lines = {
      write: (line: string) => {
        boom.write(Buffer.from(line, 'utf8') as unknown as string);
        if (!armed) {
          armed = true;
          setTimeout(flush, FLUSH_MS).unref();
        }
      },
    };
  }
  return lines;
}

export function flushLogs(): void {
  try {
    stdout?.flushSync();
  } catch {
    // nothing more can be done about a log that cannot be written
  }
}

/** The access log: one line per request, or nothing when `--access-log off`. */
export class AccessLog {
  // Filled and serialised synchronously by pino for each line, so one object serves every line.
  private readonly line = {
    msg: 'request',
    method: '',
    path: '',
    host: '',
    origin: null as string | null,
    decision: '',
    reason: '',
    route: '',
    status: 0,
    upstreamMs: null as number | null,
    bytes: 0,
  };

  constructor(
    private readonly logger: Logger,
    readonly enabled: boolean,
  ) {}

  write(
    req: IncomingMessage,
    outcome: Outcome,
    status: number,
    upstreamMs: number | null,
    bytes: number,
  ): void {
    if (!this.enabled) return;
    const l = this.line;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    l.method = req.method ?? '';
    l.path = q === -1 ? url : url.slice(0, q);
    l.host = hostOf(req);
    l.origin = outcome.origin;
    l.decision = outcome.decision;
    l.reason = outcome.reason;
    l.route = outcome.route.id;
    l.status = status;
    l.upstreamMs = upstreamMs === null ? null : Math.round(upstreamMs * 1000) / 1000;
    l.bytes = bytes;
    this.logger.info(l);
  }

  handshake(req: IncomingMessage, outcome: Outcome, status: number, upstreamMs: number | null): void {
    if (this.enabled) this.logger.info(handshakeLine(req, outcome, status, upstreamMs));
  }
}

/** A WebSocket handshake's line: its decision and the status the client got (101 when the socket opened). */
export function handshakeLine(
  req: IncomingMessage,
  outcome: Outcome,
  status: number,
  upstreamMs: number | null,
): Record<string, unknown> {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return {
    msg: 'websocket',
    method: req.method ?? '',
    path: q === -1 ? url : url.slice(0, q),
    host: hostOf(req),
    origin: outcome.origin,
    decision: outcome.decision,
    reason: outcome.reason,
    route: outcome.route.id,
    status,
    upstreamMs: upstreamMs === null ? null : Math.round(upstreamMs * 1000) / 1000,
  };
}

function hostOf(req: IncomingMessage): string {
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if ((name.length === 4 && name.toLowerCase() === 'host') || name === ':authority') return raw[i + 1]!;
  }
  return '';
}
