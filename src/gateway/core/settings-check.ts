/**
 * The checks of a settings change beyond its JSON shape (schema.ts), shared by the admin API, the
 * policy file and the console (which bundles this file): `publicOrigins` through the origin parser,
 * and the allowlist regime's CORS options (`methods`, `requestHeaders`, `exposeHeaders`, `maxAge`,
 * `credentials`) through the policy engine's own validation, so the gateway accepts exactly what
 * `createPolicy` accepts and words each problem as the engine does. Pure and browser-safe.
 */
import { analysePolicy } from 'corsgate/internal/policy/validate.js';
import type { PolicyProblem } from 'corsgate/internal/policy/types.js';
import type { Settings } from '../../store/types.js';
import { allowlistOptions, CORS_SETTING_KEYS, pickCors, type AllowlistOverrides } from '../engine.js';
import { checkPublicOrigin } from './self-origin.js';

export interface SettingsProblem {
  code: string;
  /** The settings field, with an index into a list (`exposeHeaders[0]`). */
  field: string;
  message: string;
  /** A fix in words, when there is one. */
  hint?: string;
  /** The corrected value, when there is one. */
  suggestion?: string;
}

export interface SettingsCheck {
  errors: SettingsProblem[];
  warnings: SettingsProblem[];
}

const CORS_FIELD = /^(methods|requestHeaders|exposeHeaders|maxAge|credentials)\b/;
/** Engine options that are settings of the gateway (the others cannot be set through the admin API). */
const SETTING_OPTIONS: ReadonlySet<string> = new Set(CORS_SETTING_KEYS);

/**
 * The engine's problem in the gateway's words. Its paths are its option names, which are the
 * settings' names here. A fix that names an option the settings do not have (issue 17 §5.8) is
 * worded from its structured suggestion alone, or left out.
 */
export function fromEngine(p: PolicyProblem): SettingsProblem {
  const field = CORS_FIELD.test(p.path) ? p.path : p.path || 'settings';
  const out: SettingsProblem = { code: p.code, field, message: p.message };
  if (p.suggestion !== undefined) out.suggestion = p.suggestion;
  const hint =
    p.option !== undefined && !SETTING_OPTIONS.has(p.option)
      ? p.suggestion !== undefined
        ? `did you mean ${p.suggestion}?`
        : undefined
      : p.hint;
  if (hint !== undefined) out.hint = hint;
  return out;
}

/** Every problem of these (whole) settings; `overrides`: the policy file's other engine options. */
export function checkSettings(settings: Settings, overrides: AllowlistOverrides = {}): SettingsCheck {
  const errors: SettingsProblem[] = [];
  const warnings: SettingsProblem[] = [];
  settings.publicOrigins.forEach((o, i) => {
    const p = checkPublicOrigin(o);
    if (p)
      errors.push({
        ...p,
        field: `publicOrigins[${i}]`,
        ...(p.suggestion !== undefined ? { hint: `did you mean ${p.suggestion}?` } : {}),
      });
  });
  const analysis = analysePolicy(allowlistOptions([], overrides, pickCors(settings)));
  for (const p of analysis.errors) errors.push(fromEngine(p));
  for (const p of analysis.warnings) warnings.push(fromEngine(p));
  return { errors, warnings };
}
