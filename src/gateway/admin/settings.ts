/**
 * `PUT /api/settings` beyond the body's shape: the fields left out keep their values, each changed
 * field is checked by the module that owns its rule (the CSP baseline parser, the scan-target
 * check, the origin parser and the policy engine), and fields that decide who may read what need
 * the modify-all-data permission.
 */
import { parseCspBaseline } from 'corsgate/internal/csp/index.js';
import type { Settings } from '../../store/types.js';
import { checkSettings } from '../core/settings-check.js';
import { CORS_SETTING_KEYS } from '../engine.js';
import type { ApiContext } from './context.js';
import type { Principal } from './auth.js';
import { ApiError } from './http.js';
import { checkScanTargetEntry } from './scan-targets.js';

/** The whole settings after `input`, once every check passed (else an ApiError). */
export async function settingsChange(
  c: ApiContext,
  who: Principal,
  input: Partial<Settings>,
): Promise<Settings> {
  const current = await c.store.getSettings();
  if (input.scanTargets !== undefined) scanTargetsChange(who, current.scanTargets, input.scanTargets);
  const cspProblem =
    input.cspBaseline !== undefined ? parseCspBaseline(input.cspBaseline).problems[0] : undefined;
  if (cspProblem) throw new ApiError(400, cspProblem.code, cspProblem.message, 'cspBaseline');
  const next = { ...current, ...input };
  corsSettingsChange(who, current, next);
  return next;
}

/**
 * Where scans may go is a guard against probing the gateway's own network: widening it needs the
 * top permission, not only the one that runs scans.
 */
function scanTargetsChange(who: Principal, current: readonly string[], next: readonly string[]): void {
  for (const [i, entry] of next.entries()) {
    const problem = checkScanTargetEntry(entry);
    if (problem) throw new ApiError(400, 'scan-target-invalid', problem, `scanTargets[${i}]`);
  }
  if (JSON.stringify(current) !== JSON.stringify(next) && !who.permissions.includes('modify-all-data'))
    throw new ApiError(
      403,
      'forbidden',
      "changing scanTargets needs the 'modify-all-data' permission",
      'scanTargets',
    );
}

/** Fields that let origins past the allowlist or read more of its responses: changing them needs modify-all-data. */
const CORS_GUARDED = ['publicOrigins', ...CORS_SETTING_KEYS] as const;

/** The engine's check of the allowlist regime's options and of publicOrigins (the first error answers 400). */
function corsSettingsChange(who: Principal, current: Settings, next: Settings): void {
  const { errors } = checkSettings(next);
  const e = errors[0];
  if (e)
    throw new ApiError(400, e.code, e.message, e.field, {
      ...(e.hint !== undefined ? { hint: e.hint } : {}),
      ...(errors.length > 1 ? { problems: errors } : {}),
    });
  const changed = CORS_GUARDED.filter((k) => JSON.stringify(current[k]) !== JSON.stringify(next[k]));
  if (changed.length > 0 && !who.permissions.includes('modify-all-data'))
    throw new ApiError(
      403,
      'forbidden',
      `changing ${changed.join(', ')} needs the 'modify-all-data' permission (it decides which origins may read responses, and what they may read)`,
      changed[0],
    );
}
