/** The console shell: sign-in state, navigation and hash routing (no server routes needed). */
import type { ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, session, type Me } from './api.js';
import { Notices } from './components.js';
import { SignIn } from './pages/signin.js';

interface PageProps {
  me: Me | null;
}

// Each page is its own chunk: the shell and the sign-in form load without the policy engine.
const PAGES = [
  {
    path: 'traffic',
    title: 'Traffic',
    needsToken: true,
    load: () => import('./pages/traffic.js').then((m) => m.Traffic),
  },
  {
    path: 'origins',
    title: 'Allowed origins',
    needsToken: true,
    load: () => import('./pages/origins.js').then((m) => m.Origins),
  },
  {
    path: 'routes',
    title: 'Routes & endpoint rules',
    needsToken: true,
    load: () => import('./pages/routes.js').then((m) => m.RoutesPage),
  },
  {
    path: 'sites',
    title: 'Trusted sites (CSP)',
    needsToken: true,
    load: () => import('./pages/sites.js').then((m) => m.TrustedSites),
  },
  {
    path: 'generator',
    title: 'Header generator',
    needsToken: false,
    load: () => import('./pages/generator.js').then((m) => m.Generator),
  },
  {
    path: 'explain',
    title: 'Explain',
    needsToken: false,
    load: () => import('./pages/explain.js').then((m) => m.ExplainPage),
  },
  {
    path: 'scan',
    title: 'Scan',
    needsToken: true,
    load: () => import('./pages/scan.js').then((m) => m.ScanPage),
  },
  {
    path: 'audit',
    title: 'Audit log',
    needsToken: true,
    load: () => import('./pages/audit.js').then((m) => m.Audit),
  },
  {
    path: 'tokens',
    title: 'Tokens',
    needsToken: true,
    load: () => import('./pages/tokens.js').then((m) => m.Tokens),
  },
  {
    path: 'nodes',
    title: 'Nodes',
    needsToken: true,
    load: () => import('./pages/nodes.js').then((m) => m.NodesPage),
  },
] as const;

type PageDef = (typeof PAGES)[number];

function currentPath(): string {
  return location.hash.replace(/^#\/?/, '') || 'origins';
}

function LazyPage({ page, me }: { page: PageDef; me: Me | null }) {
  const [loaded, setLoaded] = useState<{ path: string; Component: ComponentType<PageProps> } | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setFailed(null);
    page.load().then(
      (Component) => live && setLoaded({ path: page.path, Component: Component as ComponentType<PageProps> }),
      (err: Error) => live && setFailed(err.message),
    );
    return () => {
      live = false;
    };
  }, [page]);
  if (failed)
    return (
      <p class="error" role="alert">
        This page failed to load ({failed}). Reload to try again.
      </p>
    );
  if (!loaded || loaded.path !== page.path)
    return (
      <p class="muted" role="status">
        Loading {page.title}…
      </p>
    );
  return <loaded.Component me={me} />;
}

interface Readiness {
  status: 'ready' | 'degraded' | 'not-ready';
  version: number;
  store: 'connected' | 'unreachable';
  staleSeconds: number;
}

/** How often the shell asks /readyz (no token needed) whether this node reaches its store. */
const READY_POLL_MS = 5000;

/** A banner while the node this console talks to serves without its store (fleet mode's outage). */
function DegradedBanner() {
  const [ready, setReady] = useState<Readiness | null>(null);
  useEffect(() => {
    let live = true;
    const check = () =>
      fetch('/readyz', { headers: { accept: 'application/json' } })
        .then((r) => r.json() as Promise<Readiness>)
        .then(
          (r) => live && setReady(r),
          () => undefined,
        );
    void check();
    const timer = setInterval(check, READY_POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  if (!ready || ready.store === 'connected') return null;
  return (
    <p class="banner" role="alert">
      This node cannot reach its store{ready.staleSeconds ? ` (for ${ready.staleSeconds} s)` : ''}: it keeps
      enforcing version {ready.version}, and changes cannot be saved until the store is back.
    </p>
  );
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

  const page = PAGES.find((p) => p.path === path);
  const needsSignIn = !me && (path === 'signin' || !page || page.needsToken);

  const firstView = useRef(true);
  useEffect(() => {
    document.title = `${needsSignIn ? 'Sign in' : (page?.title ?? 'Not found')} · corsgate admin`;
    if (!checked) return;
    // After in-app navigation, move focus to the new page so keyboard and screen-reader users start
    // there; on the first view the browser's own order (skip link, navigation) applies.
    if (firstView.current) firstView.current = false;
    else document.getElementById('main')?.focus({ preventScroll: true });
  }, [path, needsSignIn, checked]);

  if (!checked) return null;
  const signOut = () => {
    session.token = null;
    setMe(null);
    location.hash = '#/signin';
  };

  return (
    <div class="shell">
      <a
        class="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <TopBar me={me} path={path} needsSignIn={needsSignIn} onSignOut={signOut} />
      <DegradedBanner />
      <main id="main" tabIndex={-1}>
        {needsSignIn ? (
          <SignIn
            onSignedIn={(m) => {
              setMe(m);
              location.hash = `#/${page && page.needsToken ? page.path : 'origins'}`;
            }}
          />
        ) : page ? (
          <LazyPage page={page} me={me} />
        ) : (
          <p>
            Unknown page. <a href="#/origins">Go to Allowed origins</a>.
          </p>
        )}
      </main>
      <Notices />
    </div>
  );
}

/** The top bar: the brand, the pages this visitor may open, the read-only mode, and who is signed in. */
function TopBar({
  me,
  path,
  needsSignIn,
  onSignOut,
}: {
  me: Me | null;
  path: string;
  needsSignIn: boolean;
  onSignOut: () => void;
}) {
  return (
    <header class="top">
      <span class="brand">corsgate</span>
      <nav aria-label="Console pages">
        <ul>
          {PAGES.filter((p) => me || !p.needsToken).map((p) => (
            <li key={p.path}>
              <a href={`#/${p.path}`} aria-current={p.path === path ? 'page' : undefined}>
                {p.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {me?.readOnly && (
        <span class="mode" title={`corsgate serve --policy ${me.policyFile ?? ''}`}>
          read-only: policy file
        </span>
      )}
      {me ? (
        <span class="who">
          <span class="wide-only">Signed in as </span>
          <strong>{me.name}</strong>{' '}
          <span class="perm" title={me.permissions.join(', ')}>
            ({me.permissions.at(-1) ?? 'no permission'})
          </span>
          <button type="button" class="link" onClick={onSignOut}>
            Sign out
          </button>
        </span>
      ) : (
        <a class="who" href="#/signin" aria-current={needsSignIn ? 'page' : undefined}>
          Sign in
        </a>
      )}
    </header>
  );
}
