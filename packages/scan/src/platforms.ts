/**
 * Where anyone can publish code: one table of platforms, read by the probes (the origins to try)
 * and by the classification (a fixed Access-Control-Allow-Origin naming such a host).
 */

/**
 * Platforms where anyone can publish code, in one table: the host suffix that recognises them in a
 * fixed Access-Control-Allow-Origin, and the origins probed for them (`{label}` is a user's own site
 * there). From CORScanner's list and today's common platforms.
 */
const PLATFORMS: ReadonlyArray<{ suffix: string; probes: readonly string[] }> = [
  { suffix: 'github.io', probes: ['https://{label}.github.io'] },
  { suffix: 'gitlab.io', probes: ['https://{label}.gitlab.io'] },
  { suffix: 'codepen.io', probes: ['https://codepen.io', 'https://s.codepen.io'] },
  { suffix: 'cdpn.io', probes: ['https://cdpn.io'] },
  { suffix: 'jsfiddle.net', probes: ['https://jsfiddle.net'] },
  { suffix: 'jshell.net', probes: ['https://fiddle.jshell.net'] },
  { suffix: 'jsbin.com', probes: ['http://jsbin.com', 'https://jsbin.com', 'https://output.jsbin.com'] },
  { suffix: 'webdevout.net', probes: ['http://www.webdevout.net'] },
  { suffix: 'repl.it', probes: ['https://repl.it'] },
  { suffix: 'repl.co', probes: ['https://{label}.repl.co'] },
  { suffix: 'replit.com', probes: ['https://replit.com'] },
  { suffix: 'replit.dev', probes: [] },
  { suffix: 'codesandbox.io', probes: ['https://codesandbox.io'] },
  { suffix: 'csb.app', probes: ['https://{label}.csb.app'] },
  { suffix: 'stackblitz.com', probes: ['https://stackblitz.com'] },
  { suffix: 'stackblitz.io', probes: [] },
  { suffix: 'herokuapp.com', probes: ['https://{label}.herokuapp.com'] },
  { suffix: 'netlify.app', probes: ['https://{label}.netlify.app'] },
  { suffix: 'vercel.app', probes: ['https://{label}.vercel.app'] },
  { suffix: 'pages.dev', probes: ['https://{label}.pages.dev'] },
  { suffix: 'web.app', probes: ['https://{label}.web.app'] },
  { suffix: 'firebaseapp.com', probes: ['https://{label}.firebaseapp.com'] },
  { suffix: 'glitch.me', probes: ['https://{label}.glitch.me'] },
  { suffix: 'surge.sh', probes: ['https://{label}.surge.sh'] },
  { suffix: 's3.amazonaws.com', probes: ['https://s3.amazonaws.com'] },
  { suffix: 'storage.googleapis.com', probes: ['https://storage.googleapis.com'] },
  { suffix: 'githack.com', probes: ['https://raw.githack.com'] },
  { suffix: 'plnkr.co', probes: ['https://plnkr.co', 'https://run.plnkr.co'] },
  { suffix: 'bitbucket.io', probes: ['https://{label}.bitbucket.io'] },
  { suffix: 'appspot.com', probes: ['https://{label}.appspot.com'] },
  { suffix: 'azurewebsites.net', probes: ['https://{label}.azurewebsites.net'] },
  { suffix: 'ngrok.io', probes: ['https://{label}.ngrok.io'] },
  { suffix: 'ngrok-free.app', probes: ['https://{label}.ngrok-free.app'] },
  { suffix: 'ngrok.app', probes: [] },
  { suffix: 'workers.dev', probes: ['https://{label}.workers.dev'] },
  { suffix: 'onrender.com', probes: ['https://{label}.onrender.com'] },
  { suffix: 'fly.dev', probes: ['https://{label}.fly.dev'] },
  { suffix: 'blogspot.com', probes: ['https://{label}.blogspot.com'] },
  { suffix: 'neocities.org', probes: ['https://{label}.neocities.org'] },
];

/** The origins probed for those platforms; `label` makes a user's site. */
export const THIRD_PARTY_ORIGINS = (label: string): string[] =>
  PLATFORMS.flatMap((p) => p.probes.map((o) => o.replace('{label}', label)));

export function isThirdPartyHost(host: string): boolean {
  const h = host.toLowerCase();
  return PLATFORMS.some(({ suffix }) => h === suffix || h.endsWith(`.${suffix}`));
}

/** The host part (no port, no brackets) of an origin-like string, even one no URL parser accepts. */
export function hostOfOrigin(origin: string): string | null {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(\[[^\]]*\]|[^/:?#]*)/i.exec(origin);
  return m ? m[1]!.toLowerCase() : null;
}
