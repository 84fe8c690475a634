/**
 * Where scans started through the admin API may go. A scan sends requests from the gateway's own
 * network position, so without a rule any admin could probe the services beside it (SSRF). By
 * default a scan may reach public addresses, the configured upstream and the gateway's own proxy
 * listener; private, loopback, link-local and other special-purpose addresses only when the
 * `scanTargets` setting lists them.
 *
 * Every connection a scan opens passes the scanner's guard (scanGuard), which resolves the host,
 * checks each address and connects to the one it checked: redirects to an internal host are refused
 * as the target itself would be, and a DNS answer that changes after a check (DNS rebinding) cannot
 * send a probe elsewhere.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { Resolver, UsageError } from '@corsgate/scan/internal/http.js';
import { ApiError } from './http.js';

type Family = 'ipv4' | 'ipv6';

/**
 * Addresses that are not the public internet: the IANA IPv4 and IPv6 Special-Purpose Address
 * Registries (RFC 6890 and its updates), plus multicast and the reserved 240/4. IPv4-mapped IPv6
 * addresses (::ffff:a.b.c.d) are checked against the IPv4 rows by BlockList itself.
 */
const SPECIAL_PURPOSE: readonly (readonly [network: string, prefix: number, family: Family, name: string])[] =
  [
    ['0.0.0.0', 8, 'ipv4', '"this network"'],
    ['10.0.0.0', 8, 'ipv4', 'private (RFC 1918)'],
    ['100.64.0.0', 10, 'ipv4', 'shared address space (RFC 6598)'],
    ['127.0.0.0', 8, 'ipv4', 'loopback'],
    ['169.254.0.0', 16, 'ipv4', 'link-local'], // cloud metadata services (169.254.169.254) live here
    ['172.16.0.0', 12, 'ipv4', 'private (RFC 1918)'],
    ['192.0.0.0', 24, 'ipv4', 'IETF protocol assignments'],
    ['192.0.2.0', 24, 'ipv4', 'documentation'],
    ['192.168.0.0', 16, 'ipv4', 'private (RFC 1918)'],
    ['198.18.0.0', 15, 'ipv4', 'benchmarking'],
    ['198.51.100.0', 24, 'ipv4', 'documentation'],
    ['203.0.113.0', 24, 'ipv4', 'documentation'],
    ['224.0.0.0', 4, 'ipv4', 'multicast'],
    ['240.0.0.0', 4, 'ipv4', 'reserved'],
    ['::', 96, 'ipv6', 'unspecified, loopback or IPv4-compatible'],
    ['64:ff9b::', 96, 'ipv6', 'NAT64 (reaches IPv4 addresses)'],
    ['64:ff9b:1::', 48, 'ipv6', 'local NAT64'],
    ['100::', 64, 'ipv6', 'discard-only'],
    ['2001::', 32, 'ipv6', 'Teredo (reaches IPv4 addresses)'],
    ['2001:db8::', 32, 'ipv6', 'documentation'],
    ['2002::', 16, 'ipv6', '6to4 (reaches IPv4 addresses)'],
    ['fc00::', 7, 'ipv6', 'unique local (private)'],
    ['fe80::', 10, 'ipv6', 'link-local'],
    ['fec0::', 10, 'ipv6', 'site-local (deprecated)'],
    ['ff00::', 8, 'ipv6', 'multicast'],
  ];

const SPECIAL = SPECIAL_PURPOSE.map(([network, prefix, family, name]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, name };
});

const familyOf = (address: string): Family => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** What kind of special-purpose address this is, or null for a public one. */
export function specialPurpose(address: string): string | null {
  return SPECIAL.find((s) => s.list.check(address, familyOf(address)))?.name ?? null;
}

const HOST = /^(?:\*\.)?(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?$/;

/** Checks one `scanTargets` entry: `*`, an IP address, a CIDR range, a host name or `*.domain`. */
export function checkScanTargetEntry(entry: string): string | null {
  if (entry === '*') return null;
  const cidr = /^([^/]+)\/(\d{1,3})$/.exec(entry);
  if (cidr) {
    const version = isIP(cidr[1]!);
    if (version === 0) return `'${entry}': '${cidr[1]}' is not an IP address`;
    if (Number(cidr[2]) > (version === 4 ? 32 : 128))
      return `'${entry}': the prefix length must be at most ${version === 4 ? 32 : 128}`;
    return null;
  }
  if (isIP(entry) !== 0) return null;
  if (!HOST.test(entry.toLowerCase()))
    return `'${entry}' is not an IP address, a CIDR range (10.0.0.0/8), a host name or *.domain`;
  return null;
}

interface CompiledTargets {
  any: boolean;
  addresses: BlockList;
  hosts: Set<string>;
  suffixes: string[];
}

function compile(entries: readonly string[]): CompiledTargets {
  const out: CompiledTargets = { any: false, addresses: new BlockList(), hosts: new Set(), suffixes: [] };
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase().replace(/\.$/, '');
    // An entry the API would refuse (only a hand-written policy file can hold one) allows nothing.
    if (checkScanTargetEntry(entry) !== null) continue;
    const cidr = /^([^/]+)\/(\d{1,3})$/.exec(entry);
    if (entry === '*') out.any = true;
    else if (cidr) out.addresses.addSubnet(cidr[1]!, Number(cidr[2]), familyOf(cidr[1]!));
    else if (isIP(entry)) out.addresses.addAddress(entry, familyOf(entry));
    else if (entry.startsWith('*.')) out.suffixes.push(entry.slice(1));
    else out.hosts.add(entry);
  }
  return out;
}

export interface ScanScope {
  /** The `scanTargets` setting. */
  allowed: readonly string[];
  /** Origins always allowed: the configured upstream and the gateway's proxy listener. */
  fixedOrigins: readonly string[];
}

const defaultPort = (protocol: string, port: string | number) =>
  Number(port) || (protocol === 'https:' ? 443 : 80);

/** Refused by the scanTargets rule; the scanner reports it as the reason the target could not be scanned. */
export class ScanTargetError extends Error {
  readonly code = 'scan-target-not-allowed';
}

interface Destination {
  protocol: string;
  /** Lower case, without brackets or a trailing dot. */
  host: string;
  port: number;
}

/**
 * The address to connect to for `to`: the resolve entry's, the IP literal, or the first DNS answer,
 * after checking every address against the rule. Throws ScanTargetError, or the DNS error.
 */
async function checkedAddress(
  to: Destination,
  pinned: string | undefined,
  scope: ScanScope,
  rules: CompiledTargets,
): Promise<string> {
  const addresses =
    pinned !== undefined
      ? [pinned]
      : isIP(to.host) !== 0
        ? [to.host]
        : (await lookup(to.host, { all: true, verbatim: true })).map((a) => a.address);
  const fixed = scope.fixedOrigins.some((o) => {
    const u = new URL(o);
    return (
      u.protocol === to.protocol &&
      u.hostname.toLowerCase().replace(/^\[|\]$/g, '') === to.host &&
      defaultPort(u.protocol, u.port) === to.port
    );
  });
  const byName = rules.any || rules.hosts.has(to.host) || rules.suffixes.some((s) => to.host.endsWith(s));
  if (!fixed && !byName) {
    for (const address of addresses) {
      const kind = specialPurpose(address);
      if (kind && !rules.addresses.check(address, familyOf(address)))
        throw new ScanTargetError(
          `${to.host === address ? address : `'${to.host}' resolves to ${address}, which`} is not a public address (${kind}): scans from the gateway may reach it only when the scanTargets setting lists it (for example "${address}"${to.host === address ? '' : ` or "${to.host}"`})`,
        );
    }
  }
  return addresses[0]!;
}

const destinationOf = (protocol: string, hostname: string, port: string | number): Destination => ({
  protocol,
  host: hostname
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, ''),
  port: defaultPort(protocol, port),
});

/**
 * The scanner's connection guard for one scan: every connection (the target, its redirects, the
 * http:// chain) is resolved here, checked, and sent to the address checked, so neither a redirect
 * to an internal host nor a DNS answer that changes after a check (DNS rebinding) gets through.
 */
export function scanGuard(
  scope: ScanScope,
): (
  target: { hostname: string; port: number; protocol: string },
  pinned: string | undefined,
) => Promise<string> {
  const rules = compile(scope.allowed);
  return (target, pinned) =>
    checkedAddress(destinationOf(target.protocol, target.hostname, target.port), pinned, scope, rules);
}

/**
 * Checks the target before a scan starts, so that a refused one answers 403 at once rather than a
 * failed scan; the guard checks again at every connection. A host that does not resolve is left
 * to the scan, which reports it as not scanned.
 */
export async function checkScanTarget(
  target: URL,
  resolveEntries: readonly string[],
  scope: ScanScope,
): Promise<void> {
  const to = destinationOf(target.protocol, target.hostname, target.port);
  let pinned: string | undefined;
  try {
    pinned = new Resolver([...resolveEntries]).lookup(to.host, to.port);
  } catch (err) {
    if (err instanceof UsageError)
      throw new ApiError(
        400,
        'scan-resolve-invalid',
        err.message.replace(/^--resolve/, 'resolve'),
        'resolve',
      );
    throw err;
  }
  try {
    await checkedAddress(to, pinned, scope, compile(scope.allowed));
  } catch (err) {
    if (err instanceof ScanTargetError) throw new ApiError(403, err.code, err.message, 'url');
    // DNS failures: the scan says the target could not be scanned.
  }
}
