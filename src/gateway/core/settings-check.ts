/**
 * The checks of a settings change beyond its JSON shape (schema.ts), shared by the admin API, the
 * policy file and the console (which bundles this file): `publicOrigins` through the origin parser,
 * and the allowlist regime's CORS options (`methods`, `requestHeaders`, `exposeHeaders`, `maxAge`,
 * `credentials`) through the policy engine's own validation, so the gateway accepts exactly what
 * `createPolicy` accepts and words each problem as the engine does. Pure and browser-safe.
 */
import { analysePolicy } from '../../policy/validate.js';
import type { PolicyProblem } from '../../policy/types.js';
import type { Settings } from '../../store/types.js';
import { allowlistOptions, pickCors, type AllowlistOverrides } from '../engine.js';
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

function fromEngine(p: PolicyProblem): SettingsProblem {
  // The engine's paths are its option names, which are the settings' names here; a problem about an
  // option that is no setting (a policy file's `privateNetwork`, say) is reported where it is.
  const field = CORS_FIELD.test(p.path) ? p.path : p.path || 'settings';
  return p.hint === undefined ? { code: p.code, field, message: p.message } : { code: p.code, field, message: p.message, hint: p.hint };
}

/** Every problem of these (whole) settings; `overrides`: the policy file's other engine options. */
export function checkSettings(settings: Settings, overrides: AllowlistOverrides = {}): SettingsCheck {
  const errors: SettingsProblem[] = [];
  const warnings: SettingsProblem[] = [];
  settings.publicOrigins.forEach((o, i) => {
    const p = checkPublicOrigin(o);
    if (p) errors.push({ ...p, field: `publicOrigins[${i}]`, ...(p.suggestion !== undefined ? { hint: `did you mean ${p.suggestion}?` } : {}) });
  });
  const analysis = analysePolicy(allowlistOptions([], overrides, pickCors(settings)));
  for (const p of analysis.errors) errors.push(fromEngine(p));
  for (const p of analysis.warnings) warnings.push(fromEngine(p));
  return { errors, warnings };
}
