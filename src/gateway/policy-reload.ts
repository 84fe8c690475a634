/**
 * The `--policy` file reloaded while the gateway runs: on SIGHUP (signals.ts) and whenever the
 * file changes. The file's folder is watched, not the file: editors save by writing a new file and
 * renaming it over the old one, which leaves a watch on the old inode deaf (inotify follows
 * inodes). Events are debounced, and a content that did not change is not reloaded. A file with
 * problems keeps the policy in force, and the log says every problem; nothing is half-applied,
 * because the new policy replaces the old one in one store transaction.
 */
import { createHash } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { SqliteStore } from '../store/sqlite.js';
import type { AllowlistOverrides, Engine } from './engine.js';
import { PolicyFileError, readPolicyFile } from './policy-file.js';
import { onReload, type ReloadLog } from './signals.js';

/** Quiet time after the last change event before the file is read (an editor's save is several events). */
export const WATCH_DEBOUNCE_MS = 150;

export interface PolicyReloadTarget {
  store: SqliteStore;
  engine: Engine;
  /** Hands the file's engine options that are no settings to the workers (before the store changes). */
  setOverrides(overrides: AllowlistOverrides): void;
  log: ReloadLog & { warn(fields: Record<string, unknown>, message: string): void };
}

function digest(path: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return null;
  }
}

/** Starts reloading `path` on SIGHUP and on change; returns the function that stops both. */
export function watchPolicyFile(path: string, target: PolicyReloadTarget): () => void {
  const file = resolve(path);
  let loaded = digest(file);
  let running: Promise<void> = Promise.resolve();

  const reload = (cause: string, force: boolean): Promise<void> => {
    running = running.then(async () => {
      const now = digest(file);
      if (!force && (now === null || now === loaded)) return; // gone for a moment (rename-replace), or unchanged
      try {
        const read = await readPolicyFile(path, target.engine);
        target.setOverrides(read.allowlistOptions);
        await target.store.replacePolicy(read.plan, `policy-file:${path}`);
        loaded = now;
        target.log.info(
          { file: path, cause, allowlist: read.plan.allowlist.length, routes: read.plan.routes.length },
          'policy file reloaded',
        );
      } catch (err) {
        loaded = now; // the same bad content is not reported again until it changes
        const problems = err instanceof PolicyFileError ? err.problems : [(err as Error).message];
        target.log.error(
          { file: path, cause, problems },
          'the policy file has problems; the previous policy stays in force',
        );
      }
    });
    return running;
  };

  const unregister = onReload('policy file', (cause) => reload(cause, true));
  let timer: NodeJS.Timeout | null = null;
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(dirname(file), (_event, name) => {
      if (name !== null && name.toString() !== basename(file)) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void reload('file changed', false), WATCH_DEBOUNCE_MS);
    });
    watcher.on('error', (err) =>
      target.log.warn(
        { file: path, err: err.message },
        'the policy file can no longer be watched; SIGHUP still reloads it',
      ),
    );
  } catch (err) {
    target.log.warn(
      { file: path, err: (err as Error).message },
      'the policy file cannot be watched; SIGHUP reloads it',
    );
  }
  return () => {
    unregister();
    if (timer) clearTimeout(timer);
    watcher?.close();
  };
}
