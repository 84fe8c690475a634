/** What Observatory grading reads: the responses a scan (or a saved file) gives it. */

export interface GradedResponse {
  url: string;
  status: number;
  /** Lower-case names; repeated headers joined with ", " except set-cookie, kept as a list. */
  headers: Record<string, string>;
  setCookies?: string[];
  body?: string;
}

/** One answer of the http:// fetch: the URL asked (when known), its status and its Location. */
export interface RedirectHop {
  url?: string;
  status: number;
  location: string | null;
}

export interface ObservatoryInput {
  response: GradedResponse;
  /** The answer to an OPTIONS preflight with Observatory's origin, when it was sent. */
  corsPreflight?: GradedResponse;
  /** Every answer of the http:// fetch, hop by hop, when it was fetched ([] when http is not served). */
  httpRedirects?: RedirectHop[];
}

export const OBSERVATORY_ORIGIN = 'https://http-observatory.security.mozilla.org';
