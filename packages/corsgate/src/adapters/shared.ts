/**
 * What every adapter shares: turning options or a compiled policy into the current policy, the
 * atomic `update()`, Vary merging, and the bodies of the answers an adapter gives itself.
 * Nothing here is framework-specific.
 */
import { createPolicy } from '../policy/index.js';
import type { Decision, Policy, PolicyOptions } from '../policy/types.js';

export type PolicyInput = PolicyOptions | Policy;

export function isPolicy(input: unknown): input is Policy {
  return typeof input === 'object' && input !== null && typeof (input as Policy).evaluate === 'function';
}

/** Compiles options (throwing PolicyError on any problem) or passes a compiled policy through. */
export function resolvePolicy(input: PolicyInput): Policy {
  return isPolicy(input) ? input : createPolicy(input);
}

/**
 * Holds the current compiled policy. `update` compiles first, so a bad configuration throws and
 * leaves the old policy in place; the swap itself is one reference assignment, and each request
 * reads the reference once, so no request ever sees half of two policies.
 */
export class PolicyHolder {
  policy: Policy;
  constructor(input: PolicyInput) {
    this.policy = resolvePolicy(input);
  }
  update(input: PolicyInput): Policy {
    const next = resolvePolicy(input);
    this.policy = next;
    return next;
  }
}

/** The handle every adapter's middleware carries for live reconfiguration. */
export interface Reconfigurable {
  /** Compiles the new options (throws PolicyError, keeping the old policy) and swaps them in atomically. */
  update(input: PolicyInput): Policy;
  /** The policy in force now. */
  readonly policy: Policy;
}

export function attachHandle<T extends object>(target: T, holder: PolicyHolder): T & Reconfigurable {
  Object.defineProperty(target, 'policy', { get: () => holder.policy, enumerable: true });
  Object.defineProperty(target, 'update', {
    value: (input: PolicyInput) => holder.update(input),
    enumerable: true,
  });
  return target as T & Reconfigurable;
}

/**
 * Appends the tokens of `add` to an existing Vary value without duplicating any (field names
 * compare case-insensitively, RFC 9110 §12.5.5). `Vary: *` already covers everything.
 */
export function mergeVary(existing: unknown, add: string): string {
  if (existing === undefined || existing === null || existing === '') return add;
  const current = Array.isArray(existing) ? existing.join(', ') : String(existing);
  const present = current
    .toLowerCase()
    .split(',')
    .map((t) => t.trim());
  if (present.includes('*')) return current;
  let out = current;
  for (const token of add.split(', ')) {
    if (!present.includes(token.toLowerCase())) out += `, ${token}`;
  }
  return out;
}

/** Body of a refusal the adapter answers itself (`onDisallowed: 'reject'`). Preflight refusals have none. */
export function refusalBody(decision: Decision): string {
  return JSON.stringify({ error: { code: decision.reason, message: decision.message } });
}

/**
 * Whether an answer the adapter gives itself carries a body. A preflight answer is always empty;
 * a 204 must carry no Content-Length and a 200 preflight `Content-Length: 0` (RFC 9110 §8.6).
 */
export function answersWithBody(decision: Decision): boolean {
  return !decision.preflight && decision.status !== null;
}

/**
 * The Content-Length of an empty answer given here: none for a 204 (a server MUST NOT send one,
 * RFC 9110 §8.6), `0` for any other status, so the client knows the body is empty.
 */
export function emptyBodyLength(status: number): string | null {
  return status === 204 ? null : '0';
}
