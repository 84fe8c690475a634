#!/usr/bin/env node
/**
 * The `corsgate` command line. Each subcommand lives in its own module under src/cli/
 * and is loaded only when used, so `corsgate lint` never pays for the gateway's database driver.
 * A command module exports `run(argv): Promise<number>` and returns the process exit code.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface CommandModule {
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  serve: {
    summary: 'run the gateway (reverse proxy, admin API and console)',
    load: () => import('./serve.js'),
  },
  lint: { summary: 'check a policy file and print every error and warning', load: () => import('./lint.js') },
  explain: {
    summary: 'explain what a browser does with a cross-origin request',
    load: () => import('./explain.js'),
  },
  scan: {
    summary: 'probe live URLs for CORS misconfigurations and weak security headers',
    load: () => import('./scan.js'),
  },
  headers: {
    summary: 'generate CORS response headers and adapter configuration for a policy',
    load: () => import('./headers.js'),
  },
  backup: {
    summary: "copy the gateway's store to a file while the gateway runs",
    load: () => import('./backup.js').then((m) => ({ run: m.backup })),
  },
  restore: {
    summary: "replace a stopped gateway's store with a backup file",
    load: () => import('./backup.js').then((m) => ({ run: m.restore })),
  },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: corsgate <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'corsgate <command> --help' for a command's options.\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    const { createRequire } = await import('node:module');
    const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`corsgate: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const mod = await command.load();
  return mod.run(rest);
}

/**
 * Whether this module is the program node was started with. npm installs the `corsgate` bin as a
 * symlink (node_modules/.bin/corsgate → …/dist/src/cli/main.js), so compare real paths, not URLs.
 */
function startedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (startedDirectly()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`corsgate: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
