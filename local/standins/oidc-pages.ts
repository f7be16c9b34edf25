/**
 * The local OpenID provider's pages: sign-in, sign-out and errors. Plain HTML with a language, a `<main>`, a
 * heading and labelled fields, no scripts and no outside resources, so that a person, a screen reader and a
 * browser test all read the same page.
 */

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const STYLE = `body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
label{display:block;font-weight:600;margin-top:1rem}input{font:inherit;width:100%;padding:.4rem;box-sizing:border-box}
button{font:inherit;margin-top:1.25rem;padding:.5rem 1rem}[role=alert]{color:#a00;font-weight:600}`;

/** Headers of every page: not cached, not framed, nothing loaded from anywhere. */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
} as const;

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Dose pipeline (local)</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export interface LoginPage {
  /** The interaction's uid: the form posts to /interaction/<uid>/login. */
  uid: string;
  /** The application asking, by name. */
  clientName: string;
  /** Username to fill in again after a refusal. */
  username?: string;
  error?: string;
}

export function loginPage({ uid, clientName, username, error }: LoginPage): string {
  const invalid = error ? ' aria-invalid="true" aria-describedby="error"' : '';
  return page(
    'Sign in',
    `<h1>Sign in</h1>
<p>to ${escapeHtml(clientName)}. This is the local sign-in of <code>npm start</code>: its demo users are printed at start.</p>
${error ? `<p id="error" role="alert">${escapeHtml(error)}</p>\n` : ''}<form method="post" action="/interaction/${encodeURIComponent(uid)}/login">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHtml(username ?? '')}"${invalid}${error ? '' : ' autofocus'}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${invalid}${error ? ' autofocus' : ''}>
<button type="submit">Sign in</button>
</form>`,
  );
}

/** oidc-provider's confirmation before signing out: `form` is its hidden form (`op.logoutForm`, with its xsrf). */
export function logoutPage(form: string): string {
  return page(
    'Sign out',
    `<h1>Sign out?</h1>
<p>You will be signed out of the dose pipeline on this browser.</p>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>
<button type="submit" form="op.logoutForm">Stay signed in</button>`,
  );
}

export function signedOutPage(): string {
  return page('Signed out', '<h1>Signed out</h1>\n<p>You are signed out of the dose pipeline.</p>');
}

export function errorPage(error: string, description: string | undefined): string {
  return page(
    'Sign-in error',
    `<h1>Sign-in could not continue</h1>
<p role="alert"><strong>${escapeHtml(error)}</strong>${description ? `: ${escapeHtml(description)}` : ''}</p>`,
  );
}
