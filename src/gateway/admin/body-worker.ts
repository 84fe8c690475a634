/** The body worker (body.ts): parses and checks large admin request bodies off the main thread. */
import { parentPort } from 'node:worker_threads';
import { parseAndCheck } from './body.js';
import type { SchemaName } from './schema.js';

parentPort?.on('message', (job: { id: number; bytes: Uint8Array; schema: SchemaName }) => {
  parentPort!.postMessage({ id: job.id, ...parseAndCheck(job.bytes, job.schema) });
});
