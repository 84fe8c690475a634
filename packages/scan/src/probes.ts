/**
 * The probes: for one target, the crafted Origin values (and preflights) that reveal each class of
 * CORS misconfiguration. Pure. Attacker labels are random per run so that no cached or pre-allowed
 * "evil.com" hides a finding; special characters are sent literally, as a browser would send them.
 *
 * Probing runs in two rounds. The first derives every probe from the target itself and also asks
 * with a few likely-legitimate origins (the target's own, the registrable domain, www., app. and
 * every `--origin`). The second (`followUpProbes`) starts from what the first showed: the origins
 * the server actually trusts (or names in a fixed Access-Control-Allow-Origin) get their own
 * look-alikes, http:// twins and preflights, and when preflights answer differently from simple
 * requests every origin probe is repeated as a preflight.
 */
export {
  randomLabel,
  SPECIAL_CHARS,
  targetOf,
  type Probe,
  type ProbeClass,
  type ProbeOptions,
  type ProbeResult,
  type Target,
} from './probe-model.js';
export { probesFor } from './probes-first.js';
export { acaoOf, followUpProbes, preflightsDiffer, trustedOrigins } from './probes-follow-up.js';
