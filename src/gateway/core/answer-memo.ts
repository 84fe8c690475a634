/**
 * The allowed preflights a route has answered, remembered for the life of one snapshot. A browser
 * sends the same few preflights over and over (one page's origin, method and sorted header names),
 * and the answer is a pure function of the snapshot, the route and those request fields: a hit
 * returns the same immutable answer (its header list built once) without evaluating the policy
 * again or allocating. Only answers are remembered (a refusal costs the evaluation, so a stream of
 * hostile origins cannot grow the memo); the memo is bounded and emptied when full. Pure: no I/O.
 */
import type { RequestHeadersLike } from 'corsgate/internal/policy/types.js';
import type { Answer, AnswerLookup } from './outcome.js';

/** Entries kept per route before the memo is emptied (a few KB each at most). */
export const ANSWER_MEMO_SIZE = 512;
/** Longer Access-Control-Request-Headers values are evaluated every time (never remembered). */
const MAX_ACRH = 512;
const MAX_ORIGIN = 2048;

type ByAcrh = Map<string | null, Answer>;

/**
 * A header through the Fetch-style `get` the gateway's request view offers (null: absent), or
 * undefined for any other headers shape (never memoized: its spellings and arrays are the engine's business).
 */
function plain(headers: RequestHeadersLike, lower: string): string | null | undefined {
  const h = headers as { get?: (n: string) => string | null };
  if (typeof h.get !== 'function') return undefined;
  const v = h.get(lower);
  return typeof v === 'string' || v === null ? v : undefined;
}

export class AnswerMemo implements AnswerLookup {
  private readonly byOrigin = new Map<string, Map<string, ByAcrh>>();
  private size = 0;

  /** The nested map that holds (or would hold) this request's answer, or null when it is not memoizable. */
  private slot(headers: RequestHeadersLike, create: boolean): { at: ByAcrh; acrh: string | null } | null {
    const origin = plain(headers, 'origin');
    const acrm = plain(headers, 'access-control-request-method');
    const acrh = plain(headers, 'access-control-request-headers');
    // A Private Network Access request is rare: always evaluated.
    if (
      typeof origin !== 'string' ||
      typeof acrm !== 'string' ||
      acrh === undefined ||
      plain(headers, 'access-control-request-private-network') !== null
    )
      return null;
    if (origin.length > MAX_ORIGIN || acrm.length > 64 || (acrh !== null && acrh.length > MAX_ACRH))
      return null;
    let byMethod = this.byOrigin.get(origin);
    if (byMethod === undefined) {
      if (!create) return null;
      byMethod = new Map();
      this.byOrigin.set(origin, byMethod);
    }
    let at = byMethod.get(acrm);
    if (at === undefined) {
      if (!create) return null;
      at = new Map();
      byMethod.set(acrm, at);
    }
    return { at, acrh };
  }

  /** The remembered answer to this preflight, or null. Allocates nothing on a hit. */
  get(headers: RequestHeadersLike): Answer | null {
    const origin = plain(headers, 'origin');
    if (typeof origin !== 'string') return null;
    const byMethod = this.byOrigin.get(origin);
    if (byMethod === undefined) return null;
    const acrm = plain(headers, 'access-control-request-method');
    if (typeof acrm !== 'string') return null;
    const at = byMethod.get(acrm);
    if (at === undefined) return null;
    const acrh = plain(headers, 'access-control-request-headers');
    if (acrh === undefined || plain(headers, 'access-control-request-private-network') !== null) return null;
    return at.get(acrh) ?? null;
  }

  /** Remembers the answer the policy gave to this preflight. */
  set(headers: RequestHeadersLike, answer: Answer): void {
    if (this.size >= ANSWER_MEMO_SIZE) {
      this.byOrigin.clear();
      this.size = 0;
    }
    const s = this.slot(headers, true);
    if (s === null || s.at.has(s.acrh)) return;
    s.at.set(s.acrh, answer);
    this.size++;
  }
}
