/**
 * What one simulated fetch accumulates as the Fetch-algorithm functions run: the steps taken, the
 * console lines, the requests put on the network, and the request still waiting for an answer.
 */
import type { HeaderList } from 'corsgate/internal/http/headers.js';
import type { BrowserModel } from './browsers.js';
import { consoleLines } from './console.js';
import type { ConsoleEvent } from './events.js';
import type { Hop, Normalized } from './input.js';
import type { Explanation, SentRequest, Step } from './types.js';

export class Trace {
  readonly steps: Step[] = [];
  readonly console: string[] = [];
  readonly requests: SentRequest[] = [];
  /** Where this run departed from the Fetch Standard (DEPARTURES ids). */
  readonly departures = new Set<string>();
  preflightSent = false;
  preflightRequest: Explanation['preflightRequest'];
  awaiting: Explanation['awaiting'];

  constructor(
    readonly model: BrowserModel,
    private readonly page: { pageOrigin: string; initiator: Normalized['initiator']; initialUrl: string },
  ) {}

  step(step: Step): void {
    this.steps.push(step);
  }

  note(departure: string): void {
    this.departures.add(departure);
  }

  log(event: ConsoleEvent): void {
    this.console.push(...consoleLines(this.model, event, this.page));
  }
}

/** Everything the Fetch-algorithm functions share for one request. */
export interface FetchContext {
  model: BrowserModel;
  req: Normalized;
  /** Credentials mode "include". */
  include: boolean;
  initialUrl: string;
  trace: Trace;
  /** The request's header names (lower-case) in the order the browser checks them against a preflight. */
  checkOrder: string[];
}

/** One hop of main fetch: the request at its current URL, and the answers given for that URL. */
export interface HopState {
  hop: number;
  url: URL;
  method: string;
  headers: HeaderList;
  tainting: 'basic' | 'cors' | 'opaque';
  /** #concept-request-tainted-origin: a redirect crossed origins away from the page; Origin is null. */
  tainted: boolean;
  answers: Hop;
  /** Past the last hop given: the redirect target's answers are unknown (not a network error). */
  beyondInput: boolean;
}

/** #serializing-a-request-origin */
export function serializedOrigin(ctx: FetchContext, state: HopState): string {
  return state.tainted ? 'null' : ctx.req.pageOrigin;
}
