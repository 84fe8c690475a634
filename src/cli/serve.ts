/**
 * `corsgate serve`: the gateway. Resolves when the gateway has shut down (SIGTERM/SIGINT) with the
 * exit code; configuration errors answer 2 with a message saying what and where.
 */
import { ConfigError, parseConfig, usage } from '../gateway/config.js';
import { PolicyFileError } from '../gateway/policy-file.js';
import { startGateway } from '../gateway/server.js';
import { StoreError, StoreUrlError } from '../store/index.js';

export async function run(argv: string[]): Promise<number> {
  let config;
  try {
    const parsed = parseConfig(argv, process.env);
    if (parsed === 'help') {
      process.stdout.write(usage());
      return 0;
    }
    config = parsed;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`corsgate serve: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  let gateway;
  try {
    gateway = await startGateway(config);
  } catch (err) {
    if (
      err instanceof StoreUrlError ||
      err instanceof PolicyFileError ||
      err instanceof StoreError ||
      err instanceof ConfigError
    ) {
      process.stderr.write(`corsgate serve: ${err.message}\n`);
      return 2;
    }
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      process.stderr.write(
        `corsgate serve: cannot listen: ${(err as Error).message} (choose another port with --port / --admin-port)\n`,
      );
      return 2;
    }
    throw err;
  }
  const out: string[] = [
    'corsgate gateway is running',
    `  proxy:    ${gateway.proxyUrl}  ->  ${gateway.upstream}${gateway.workers > 1 ? `  (${gateway.workers} workers)` : ''}`,
    `  admin:    ${gateway.adminUrl}  (console, REST API under /api, /metrics, /healthz)`,
    `  store:    ${config.policy ? `policy file ${config.policy} (read-only)` : gateway.store.description}`,
  ];
  if (gateway.generatedToken) {
    out.push(
      '',
      `  admin token (shown once, stored only as a hash; keep it safe):`,
      `    ${gateway.generatedToken}`,
      '',
      `  try:  curl -H 'Authorization: Bearer ${gateway.generatedToken}' ${gateway.adminUrl}/api/me`,
    );
  } else if (process.env.CORSGATE_ADMIN_TOKEN) out.push('  admin token: from CORSGATE_ADMIN_TOKEN');
  else out.push('  admin token: created on first start (set CORSGATE_ADMIN_TOKEN to add a known one)');
  process.stdout.write(out.join('\n') + '\n');
  if (!/^(127\.\d+\.\d+\.\d+|::1|localhost)$/i.test(config.adminHost))
    gateway.logger.warn(
      `the admin listener (--admin-host ${config.adminHost}) is not on loopback: anyone who can reach it can try tokens; keep it behind a firewall or TLS proxy`,
    );

  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      gateway.logger.info(`${signal}: shutting down`);
      void gateway.close().then(() => resolve(0));
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
}
