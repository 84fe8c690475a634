/**
 * Limits failed admin authentications per client address, so that a stolen-token guesser gets a
 * handful of tries and then an ever longer wait: after FREE_FAILURES failures each further one
 * blocks the address for twice as long as the one before (1 s, 2 s, 4 s … up to 15 min). While an
 * address waits, its requests are answered 429 with Retry-After and no token is even looked at,
 * so a guess made during the wait tells nothing. An address is forgotten after an hour without a
 * failure. The state is in memory, per process: every gateway of a fleet limits on its own.
 */

export interface ThrottleLimits {
  freeFailures: number;
  firstBlockMs: number;
  maxBlockMs: number;
  forgetMs: number;
  /** Addresses remembered at most; the one that failed longest ago is dropped first. */
  maxAddresses: number;
}

export const AUTH_THROTTLE: ThrottleLimits = {
  freeFailures: 5,
  firstBlockMs: 1000,
  maxBlockMs: 15 * 60_000,
  forgetMs: 60 * 60_000,
  maxAddresses: 10_000,
};

interface Entry {
  failures: number;
  blockedUntil: number;
  last: number;
}

export class FailureThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly limits: ThrottleLimits = AUTH_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  private current(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (e && this.now() - e.last > this.limits.forgetMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** How long this address must still wait before it may try a token (0: it may try now). */
  waitMs(key: string): number {
    const e = this.current(key);
    return e ? Math.max(0, e.blockedUntil - this.now()) : 0;
  }

  /** Records a failed attempt; `blockMs` > 0 when this failure starts a wait. */
  fail(key: string): { failures: number; blockMs: number } {
    const now = this.now();
    const e = this.current(key) ?? { failures: 0, blockedUntil: 0, last: now };
    e.failures++;
    e.last = now;
    const over = e.failures - this.limits.freeFailures;
    const blockMs =
      over > 0 ? Math.min(this.limits.firstBlockMs * 2 ** Math.min(over - 1, 30), this.limits.maxBlockMs) : 0;
    if (blockMs) e.blockedUntil = now + blockMs;
    // Re-inserted so that the Map's order is the order of last failure (oldest first).
    this.entries.delete(key);
    this.entries.set(key, e);
    if (this.entries.size > this.limits.maxAddresses) this.entries.delete(this.entries.keys().next().value!);
    return { failures: e.failures, blockMs };
  }
}

/**
 * The key an address is limited under: an IPv4 address as it is (IPv4-mapped IPv6 included), an
 * IPv6 address by its /64 prefix, since one host usually holds a whole /64 (RFC 4291 §2.5.4).
 */
export function clientKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('%')[0]!.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
