// GovOps GraphQL explorer: GraphiQL plus a small login bar.
//
// Everything is bundled from npm at set-up time and served by the API itself under
// /explorer/, because the government network has no internet (no CDN, no web fonts).
import { useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { createClient } from 'graphql-ws';
import 'graphiql/style.css';
import './explorer.css';

// sessionStorage, not localStorage: the token should die with the tab.
const TOKEN_KEY = 'govops.token';
const USER_KEY = 'govops.username';

// Same origin only: the CSP in index.html forbids every other host anyway.
const HTTP_URL = '/graphql';
const WS_URL = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;

const LOGIN = `mutation Login($input: LoginInput!) {
  login(input: $input) { token user { username displayName } errors { code field message } }
}`;
const LOGOUT = 'mutation { logout { errors { code message } } }';

const DEFAULT_QUERY = `# GovOps GraphQL 浏览器 / Explorer
# 登录后按 Ctrl-Enter 运行 / Log in, then press Ctrl-Enter
{
  viewer {
    username
    displayName
  }
}
`;

// Private-mode browsers may refuse storage; the explorer must still work, just without
// surviving a reload.
const store = {
  get: (key) => {
    try {
      return sessionStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set: (key, value) => {
    try {
      value == null ? sessionStorage.removeItem(key) : sessionStorage.setItem(key, value);
    } catch {
      /* ignored: see above */
    }
  },
};

// Login/logout bypass GraphiQL's fetcher: they must work before a token exists and
// must not leave their variables (the password) in GraphiQL's persisted history.
async function postGraphQL(query, variables, token) {
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(HTTP_URL, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  try {
    return await res.json();
  } catch {
    throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
  }
}

// Both GraphQL errors (top level) and domain errors (payload `errors`) are shown to the
// user; the latter carry the field name so "password: ..." is clear on its own.
function errorMessages(body, field) {
  const top = (body.errors || []).map((e) => e.message);
  const payload = (body.data && body.data[field] && body.data[field].errors) || [];
  return top.concat(payload.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)));
}

function LoginBar({ session, onLogin, onLogout }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const run = async (action) => {
    setBusy(true);
    setError('');
    try {
      await action();
      setPassword('');
    } catch (err) {
      setError(err.message || String(err));
    } finally {
      setBusy(false);
    }
  };

  const submit = (event) => {
    event.preventDefault(); // never navigate: the CSP forbids form submission anyway
    run(() => onLogin(username, password));
  };

  return (
    <header className="govops-bar">
      <strong>GovOps GraphQL 浏览器 / Explorer</strong>
      {session ? (
        <>
          <span id="govops-status" role="status">
            已登录 {session.username}
          </span>
          <span aria-hidden="true">·</span>
          <button id="govops-logout" type="button" disabled={busy} onClick={() => run(onLogout)}>
            退出 / Log out
          </button>
        </>
      ) : (
        <form onSubmit={submit}>
          <input id="govops-username" autoComplete="username" placeholder="用户名 / Username" required
            value={username} onChange={(e) => setUsername(e.target.value)} />
          <input id="govops-password" type="password" autoComplete="current-password" placeholder="密码 / Password"
            required value={password} onChange={(e) => setPassword(e.target.value)} />
          <button id="govops-login" type="submit" disabled={busy}>
            登录 / Log in
          </button>
          <span id="govops-status" role="status" className={error ? 'govops-error' : undefined}>
            {error || (busy ? '登录中… / Logging in…' : '未登录 / Not logged in')}
          </span>
        </form>
      )}
      {session && error ? <span className="govops-error">{error}</span> : null}
    </header>
  );
}

function App() {
  const [session, setSession] = useState(() => {
    const token = store.get(TOKEN_KEY);
    return token ? { token, username: store.get(USER_KEY) || '' } : null;
  });
  const token = session ? session.token : null;

  // graphql-transport-ws authenticates once, in connection_init, so a new token needs a
  // new socket. Lazy: nothing connects until someone actually runs a subscription.
  const wsClient = useMemo(
    () => createClient({ url: WS_URL, lazy: true, connectionParams: token ? { token } : {} }),
    [token],
  );
  useEffect(() => () => wsClient.dispose(), [wsClient]);

  // A new fetcher identity also makes GraphiQL re-run introspection, so a schema the
  // server hides from anonymous users appears right after login, and goes after logout.
  const fetcher = useMemo(
    () =>
      createGraphiQLFetcher({
        url: HTTP_URL,
        headers: token ? { Authorization: `Bearer ${token}` } : {},
        wsClient,
      }),
    [token, wsClient],
  );

  const remember = (next) => {
    store.set(TOKEN_KEY, next && next.token);
    store.set(USER_KEY, next && next.username);
    setSession(next);
  };

  const login = async (username, password) => {
    const body = await postGraphQL(LOGIN, { input: { username, password } });
    const problems = errorMessages(body, 'login');
    const payload = body.data && body.data.login;
    if (problems.length || !payload || !payload.token) {
      throw new Error(problems.join('；') || '登录失败 / Login failed');
    }
    remember({ token: payload.token, username: (payload.user && payload.user.username) || username });
  };

  // The local token is forgotten even if the server call fails: the user asked to leave,
  // and a token we no longer hold cannot be misused from this tab.
  const logout = async () => {
    let problem = '';
    try {
      problem = errorMessages(await postGraphQL(LOGOUT, undefined, token), 'logout').join('；');
    } catch (err) {
      problem = err.message || String(err);
    }
    remember(null);
    if (problem) throw new Error(`已在本地退出 / Logged out locally: ${problem}`);
  };

  return (
    <div className="govops-shell">
      <LoginBar session={session} onLogin={login} onLogout={logout} />
      <div className="govops-graphiql">
        <GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY} />
      </div>
    </div>
  );
}

createRoot(document.getElementById('root')).render(<App />);
