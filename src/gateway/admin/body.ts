/**
 * Request bodies of the admin API: read up to MAX_BODY_BYTES, parsed as JSON and checked against
 * the route's schema. A small body is handled inline; a larger one in a worker thread
 * (body-worker.ts), because JSON.parse of a few megabytes of tiny items holds the event loop for a
 * quarter of a second, and the proxy shares that loop. Only a body that passes its schema, whose
 * size the schema bounds, comes back to this thread; an invalid one comes back as its problems.
 */
import type { IncomingMessage } from 'node:http';
import { Worker } from 'node:worker_threads';
import { andMore, ApiError, listedProblems, MAX_BODY_BYTES, readRaw } from './http.js';
import { checkBody, SCHEMAS, type BodyProblem, type SchemaName } from './schema.js';

/** Bodies up to this size are parsed inline (a few milliseconds at most). */
const INLINE_BYTES = 64 * 1024;
/** Bodies waiting for the worker at most; more answer 503 (each holds its bytes). */
const MAX_QUEUED = 8;

export type BodyOutcome =
  | { ok: true; value: unknown }
  | { ok: false; malformed: string }
  | { ok: false; problems: BodyProblem[]; total: number };

/** Parses and checks one body; the same function runs inline and in the worker. */
export function parseAndCheck(bytes: Uint8Array, schema: SchemaName): BodyOutcome {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (err) {
    return { ok: false, malformed: (err as Error).message };
  }
  const { problems, total } = checkBody(SCHEMAS[schema], value);
  return total > 0 ? { ok: false, problems, total } : { ok: true, value };
}

let worker: Worker | null = null;
let nextId = 0;
const waiting = new Map<number, (outcome: BodyOutcome | Error) => void>();

function bodyWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./body-worker.js', import.meta.url));
  w.on('message', (m: { id: number } & BodyOutcome) => {
    waiting.get(m.id)?.(m);
    waiting.delete(m.id);
    if (waiting.size === 0) w.unref();
  });
  w.on('error', () => undefined);
  w.on('exit', () => {
    // Whatever was waiting fails; the next body starts a new worker.
    if (worker === w) worker = null;
    for (const settle of waiting.values()) settle(new Error('the body worker stopped'));
    waiting.clear();
  });
  return (worker = w);
}

function inWorker(bytes: Buffer, schema: SchemaName): Promise<BodyOutcome> {
  if (waiting.size >= MAX_QUEUED)
    throw new ApiError(
      503,
      'admin-busy',
      'the admin API is checking too many large bodies; retry in a moment',
      undefined,
      undefined,
      true,
    );
  return new Promise((resolve, reject) => {
    const id = nextId++;
    waiting.set(id, (o) => (o instanceof Error ? reject(o) : resolve(o)));
    // A body over INLINE_BYTES has a buffer of its own (Buffer.concat never pools that size): transfer it.
    const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    const w = bodyWorker();
    // Held only while it has work: an idle worker never keeps the process alive.
    w.ref();
    w.postMessage({ id, bytes: view, schema }, owned ? [bytes.buffer as ArrayBuffer] : []);
  });
}

/** The request's JSON body, valid against `schema`; throws the 400/413/503 to answer otherwise. */
export async function readBody(req: IncomingMessage, schema: SchemaName): Promise<unknown> {
  const raw = await readRaw(req, MAX_BODY_BYTES);
  if (raw.length === 0) throw new ApiError(400, 'body-missing', 'a JSON body is required');
  const outcome = raw.length <= INLINE_BYTES ? parseAndCheck(raw, schema) : await inWorker(raw, schema);
  if (outcome.ok) return outcome.value;
  if ('malformed' in outcome)
    throw new ApiError(400, 'body-malformed-json', `the body is not valid JSON: ${outcome.malformed}`);
  const first = outcome.problems[0]!;
  throw new ApiError(
    400,
    first.code,
    first.message + andMore(outcome.total),
    first.field,
    outcome.total > 1 ? listedProblems(outcome.problems, outcome.total) : undefined,
  );
}
