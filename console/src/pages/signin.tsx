import { useState } from 'preact/hooks';
import { api, session, type Me } from '../api.js';
import { ErrorText } from '../components.js';

export function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    session.token = token.trim();
    try {
      onSignedIn(await api<Me>('GET', '/api/me'));
    } catch (err) {
      session.token = null;
      setError(err);
    }
  };
  return (
    <div class="narrow">
      <h1>Sign in</h1>
      <p>
        Use the admin token printed when the gateway first started (or the value of{' '}
        <code>CORSGATE_ADMIN_TOKEN</code>), or a token an administrator created for you.
      </p>
      <form onSubmit={submit}>
        <label for="token">Admin token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          required
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
        <button type="submit">Sign in</button>
      </form>
      <ErrorText error={error} />
      <p class="muted">
        The token stays in this tab only (session storage) and is sent as an Authorization header.
      </p>
      <p>
        No token? The <a href="#/generator">header generator</a> and <a href="#/explain">explain</a> tools
        work without one.
      </p>
    </div>
  );
}
