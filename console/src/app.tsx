/** The console shell: sign-in state, navigation and hash routing (no server routes needed). */
import { useEffect, useState } from 'preact/hooks';
import { api, session, type Me } from './api.js';
import { SignIn } from './pages/signin.js';
import { Origins } from './pages/origins.js';
import { TrustedSites } from './pages/sites.js';
import { RoutesPage } from './pages/routes.js';
import { Generator } from './pages/generator.js';
import { ExplainPage } from './pages/explain.js';
import { ScanPage } from './pages/scan.js';
import { Audit } from './pages/audit.js';

const PAGES = [
  { path: 'origins', title: 'Allowed origins', needsToken: true },
  { path: 'routes', title: 'Routes & endpoint rules', needsToken: true },
  { path: 'sites', title: 'Trusted sites (CSP)', needsToken: true },
  { path: 'generator', title: 'Header generator', needsToken: false },
  { path: 'explain', title: 'Explain', needsToken: false },
  { path: 'scan', title: 'Scan', needsToken: true },
  { path: 'audit', title: 'Audit log', needsToken: true },
] as const;

function currentPath(): string {
  return location.hash.replace(/^#\/?/, '') || 'origins';
}

export function App() {
  const [path, setPath] = useState(currentPath());
  const [me, setMe] = useState<Me | null>(null);
  const [checked, setChecked] = useState(false);

  useEffect(() => {
    const onHash = () => setPath(currentPath());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    if (!session.token) return setChecked(true);
    api<Me>('GET', '/api/me')
      .then(setMe, () => (session.token = null))
      .finally(() => setChecked(true));
  }, []);

  useEffect(() => {
    const page = PAGES.find((p) => p.path === path);
    document.title = `${page?.title ?? 'Sign in'} · corsgate admin`;
    document.getElementById('main')?.focus();
  }, [path]);

  if (!checked) return null;
  const page = PAGES.find((p) => p.path === path);
  const signOut = () => {
    session.token = null;
    setMe(null);
    location.hash = '#/signin';
  };
  const needsSignIn = !me && (path === 'signin' || !page || page.needsToken);

  return (
    <div class="shell">
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <span class="brand">corsgate</span>
        <nav aria-label="Console pages">
          <ul>
            {PAGES.filter((p) => me || !p.needsToken).map((p) => (
              <li key={p.path}>
                <a href={`#/${p.path}`} aria-current={p.path === path ? 'page' : undefined}>{p.title}</a>
              </li>
            ))}
          </ul>
        </nav>
        {me ? (
          <span class="who">
            {me.name} <span class="perm">({me.permissions.join(', ')})</span>
            <button type="button" class="link" onClick={signOut}>Sign out</button>
          </span>
        ) : (
          <a class="who" href="#/signin">Sign in</a>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {needsSignIn ? (
          <SignIn onSignedIn={(m) => { setMe(m); location.hash = `#/${page && page.needsToken ? page.path : 'origins'}`; }} />
        ) : path === 'origins' ? <Origins me={me!} />
          : path === 'sites' ? <TrustedSites me={me!} />
          : path === 'routes' ? <RoutesPage me={me!} />
          : path === 'generator' ? <Generator />
          : path === 'explain' ? <ExplainPage />
          : path === 'scan' ? <ScanPage me={me!} />
          : path === 'audit' ? <Audit />
          : <p>Unknown page.</p>}
      </main>
    </div>
  );
}
