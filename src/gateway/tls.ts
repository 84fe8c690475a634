/**
 * TLS for the gateway's listeners and its https:// upstreams. A listener with a certificate is a
 * `node:http2` secure server with `allowHTTP1`, so ALPN (RFC 7301) offers `h2` and `http/1.1` on
 * one port (RFC 9113 §3.2). SIGHUP rereads the PEM files and swaps them in with
 * `setSecureContext`: open connections keep the context they were made with, new ones get the new
 * pair; a file that cannot be read or a key that does not match keeps the old pair, and says why.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { Logger } from 'pino';
import { ConfigError } from './config.js';

export interface TlsFiles {
  cert: string;
  key: string;
}

export interface TlsPair {
  cert: Buffer;
  key: Buffer;
}

/** Reads and checks a certificate and its key (a mismatched pair fails here, not on a client's handshake). */
export function readTlsPair(files: TlsFiles, what = '--tls-cert/--tls-key'): TlsPair {
  let cert: Buffer;
  let key: Buffer;
  try {
    cert = readFileSync(files.cert);
    key = readFileSync(files.key);
  } catch (err) {
    throw new ConfigError('config-tls-unreadable', `${what}: ${(err as Error).message}`);
  }
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new ConfigError(
      'config-tls-invalid',
      `${what}: ${files.cert} and ${files.key} are not a PEM certificate and its private key: ${(err as Error).message}`,
    );
  }
  return { cert, key };
}

export function filesOf(cert: string | null, key: string | null): TlsFiles | null {
  return cert !== null && key !== null ? { cert, key } : null;
}

interface Reloadable {
  setSecureContext(options: { cert: Buffer; key: Buffer }): void;
}

/** SIGHUP: the pair from disk again, or the old one kept (logged with the reason). */
export function reloadTls(server: Reloadable, files: TlsFiles, logger: Logger, listener: string): boolean {
  try {
    const pair = readTlsPair(files);
    server.setSecureContext(pair);
    logger.info({ listener, cert: files.cert }, 'TLS certificate reloaded');
    return true;
  } catch (err) {
    logger.error(
      { listener, cert: files.cert, reason: (err as Error).message },
      'TLS certificate not reloaded: the previous certificate stays in use',
    );
    return false;
  }
}

export interface UpstreamTls {
  ca?: Buffer;
  rejectUnauthorized: boolean;
}

/** What undici's `connect` options get for https:// upstreams. */
export function upstreamTls(caFile: string | null, insecure: boolean): UpstreamTls {
  if (caFile === null) return { rejectUnauthorized: !insecure };
  try {
    return { ca: readFileSync(caFile), rejectUnauthorized: !insecure };
  } catch (err) {
    throw new ConfigError('config-tls-unreadable', `--upstream-ca: ${(err as Error).message}`);
  }
}
