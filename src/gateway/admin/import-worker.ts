/**
 * The body of the import worker (metadata.ts starts one per upload): reads one Salesforce metadata
 * upload off the main thread, so that even an upload near every IMPORT_LIMITS bound costs the
 * proxy's event loop nothing, and a runaway one is bounded by the worker's own memory limit.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { salesforceModule } from '../modules.js';

export interface ImportJob {
  bytes: Uint8Array;
  hint: { filename?: string; contentType?: string; apiVersion?: string };
}

/** What the worker posts back: the parsed upload, or the error it threw (structured-cloneable). */
export type ImportReply =
  | { ok: true; parsed: { bundle: unknown; problems: unknown[]; sources?: unknown } }
  | { ok: false; error: { name: string; message: string; limit?: string; max?: number; file?: string } };

async function run(job: ImportJob): Promise<ImportReply> {
  const mod = await salesforceModule();
  if (!mod)
    return {
      ok: false,
      error: { name: 'Unavailable', message: 'this build has no Salesforce metadata module' },
    };
  try {
    const parsed = await mod.importMetadata(job.bytes, job.hint);
    return { ok: true, parsed: parsed as { bundle: unknown; problems: unknown[]; sources?: unknown } };
  } catch (err) {
    const e = err as Error & { limit?: string; max?: number; file?: string };
    return {
      ok: false,
      error: {
        name: e.name,
        message: e.message,
        ...(e.limit ? { limit: e.limit, max: e.max! } : {}),
        ...(e.file ? { file: e.file } : {}),
      },
    };
  }
}

if (parentPort) parentPort.postMessage(await run(workerData as ImportJob));
