/**
 * The console's security headers, one definition for both places that serve it: the local runtime
 * (local/console-site.ts) and CloudFront's response headers policy (infra/constructs/console-site.ts).
 */

/** The console's Content-Security-Policy: nothing inline, nothing from elsewhere but the origins it calls. */
export function consoleCsp(connectOrigins: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${["'self'", ...connectOrigins].join(' ')}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Every header of every console answer; `connectOrigins`: the sign-in provider's and the upload bucket's. */
export function securityHeaders(connectOrigins: readonly string[]): Record<string, string> {
  return {
    'content-security-policy': consoleCsp(connectOrigins),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  };
}
