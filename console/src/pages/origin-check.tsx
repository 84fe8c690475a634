/** The allowlist entry check the console runs as you type, and how its problem is shown. */
import { checkAllowlistEntry, fixHint } from '../../../src/gateway/core/entry.js';

export interface EntryProblem {
  message: string;
  hint?: string;
}

/**
 * The server's own check of an allowlist entry, as you type: the console bundles the very module
 * the admin API, import and snapshot compilation use, so it can never disagree with the server.
 */
export function checkPattern(value: string): EntryProblem | null {
  const pattern = value.trim();
  if (pattern === '') return null;
  const problem = checkAllowlistEntry(pattern);
  if (problem === null) return null;
  const hint = fixHint(problem, false);
  return { message: problem.message, ...(hint ? { hint } : {}) };
}

export function ProblemText({
  id,
  problem,
  idle,
}: {
  id: string;
  problem: EntryProblem | null;
  idle?: string;
}) {
  return (
    <div id={id} class={problem ? 'error' : 'muted'} aria-live="polite">
      {problem ? (
        <>
          <p>{problem.message}</p>
          {problem.hint && <p>Fix: {problem.hint}</p>}
        </>
      ) : (
        idle && <p>{idle}</p>
      )}
    </div>
  );
}
