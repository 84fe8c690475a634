/**
 * SIGHUP, the conventional "reload your configuration" signal, handled in one place: every part of
 * the gateway that can reload something (the `--policy` file here; TLS certificates, …) registers
 * a reloader with `onReload`, and one SIGHUP runs them all. Node's default for SIGHUP is to end the
 * process, so a handler is installed for as long as a gateway (or a proxy worker) runs, reloader or
 * not; a reloader that fails is logged and never ends the process or stops the others.
 */

export type Reloader = (cause: string) => Promise<void> | void;

interface Entry {
  name: string;
  run: Reloader;
}

export interface ReloadLog {
  info(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

const reloaders = new Set<Entry>();
let installed = 0;
let log: ReloadLog | null = null;

/** Registers `run` under `name` (for the log); returns the function that unregisters it. */
export function onReload(name: string, run: Reloader): () => void {
  const entry = { name, run };
  reloaders.add(entry);
  return () => void reloaders.delete(entry);
}

/** Runs every reloader, one after the other; each failure is logged, none is thrown. */
export async function reloadAll(cause: string): Promise<void> {
  for (const r of [...reloaders]) {
    try {
      await r.run(cause);
    } catch (err) {
      log?.error(
        { reloader: r.name, cause, err: (err as Error).message },
        `${r.name}: reload failed; the previous configuration stays in force`,
      );
    }
  }
}

function onSighup(): void {
  log?.info({ reloaders: [...reloaders].map((r) => r.name) }, 'SIGHUP: reloading');
  void reloadAll('SIGHUP');
}

/** Handles SIGHUP until the returned function is called (counted: several gateways may share a process). */
export function handleSighup(logger: ReloadLog): () => void {
  log = logger;
  if (installed++ === 0) process.on('SIGHUP', onSighup);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--installed === 0) process.off('SIGHUP', onSighup);
  };
}
