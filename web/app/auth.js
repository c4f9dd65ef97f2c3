// The access token (a JWT issued by `whatsapp-inbox token`). Kept in sessionStorage: it survives reloads of this
// tab but not the browser session, and other tabs or sites never see it.

const KEY = 'inbox.token';

export function getToken() {
  return sessionStorage.getItem(KEY);
}

export function setToken(token) {
  sessionStorage.setItem(KEY, token.trim());
}

export function clearToken() {
  sessionStorage.removeItem(KEY);
}

// A `?token=` link signs in once: the token is moved to sessionStorage and removed from the address bar (and so
// from history and bookmarks) at once; the #/... deep link part stays.
export function takeTokenFromUrl() {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (!token) return false;
  url.searchParams.delete('token');
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  setToken(token);
  return true;
}

function claims(token) {
  try {
    return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return {};
  }
}

// The JWT's expiry, only to warn early; the server is the judge of validity.
export function tokenExpiry(token = getToken()) {
  const { exp } = claims(token || '');
  return typeof exp === 'number' ? new Date(exp * 1000) : null;
}

// Who we are (the token's `sub`): to tell our own reactions from colleagues'.
export function currentUserId(token = getToken()) {
  const { sub } = claims(token || '');
  return typeof sub === 'string' ? sub : null;
}
