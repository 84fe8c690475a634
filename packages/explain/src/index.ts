/** `corsgate/explain`: what a browser does with a cross-origin request, and why. Pure, browser-safe. */
export { explain } from './simulate.js';
export {
  explainBoth,
  differencesOf,
  groupedByWhy,
  type BothExplanation,
  type Difference,
} from './compare.js';
export { BROWSERS, DEPARTURES, type BrowserName } from './browsers.js';
export { EXPLAIN_INPUT_ERROR_CODES, ExplainInputError, type ExplainInputErrorCode } from './types.js';
export type {
  ExplainInput,
  ExplainOptions,
  Explanation,
  Fix,
  ResponseInput,
  SentRequest,
  Step,
  StepOutcome,
} from './types.js';
export type { NetworkErrorCode } from './events.js';
export { explainHar, harPageOrigin, type HarExplanation, type HarOptions } from './har.js';
