/**
 * What happens that a browser reports in its console, as events the Fetch-algorithm functions
 * emit. Each browser turns an event into its own lines (messages.ts for Chromium, messages-firefox.ts
 * for Firefox), so the algorithm stays one and the wording stays in one table per browser.
 */
import type { BrowserModel } from './browsers.js';
import type { ConsoleContext, ConsoleEvent } from './events.js';
import { chromiumLines } from './messages.js';
import { firefoxLines } from './messages-firefox.js';

export function consoleLines(model: BrowserModel, event: ConsoleEvent, ctx: ConsoleContext): string[] {
  switch (model.name) {
    case 'chromium':
      return chromiumLines(event, ctx);
    case 'firefox':
      return firefoxLines(event, ctx);
  }
}
