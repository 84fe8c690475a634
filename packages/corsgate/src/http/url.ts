/**
 * The URL Standard facts that Fetch and the origin rules rely on: special schemes' default ports,
 * the serialized form of an IPv4 host, and which hosts are loopback. One home for each; origins,
 * patterns, `explain` and `scan` import them from here.
 */

/**
 * Default ports of the URL Standard's special schemes (`#special-scheme`). No prototype, so that a
 * scheme such as `constructor` has no default port.
 */
export const DEFAULT_PORTS: Readonly<Record<string, number | undefined>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, number>, {
    http: 80,
    https: 443,
    ws: 80,
    wss: 443,
    ftp: 21,
  }),
);

const IPV4_RE = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Whether `host` is an IPv4 address as the URL Standard serializes one (`#concept-ipv4-serializer`): a dotted quad without leading zeros. */
export function isCanonicalIPv4(host: string): boolean {
  return IPV4_RE.test(host);
}

/**
 * Loopback hosts, for which Salesforce (and corsgate) accept `http:`: `localhost` and `*.localhost`,
 * 127.0.0.0/8 and `[::1]` (W3C Secure Contexts, "Is origin potentially trustworthy?"). `host` is a
 * serialized host (lower case, IPv6 in brackets).
 */
export function isLoopbackHost(host: string): boolean {
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    (isCanonicalIPv4(host) && host.startsWith('127.'))
  );
}
