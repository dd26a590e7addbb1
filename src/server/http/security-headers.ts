/** Headers on every answer: a strict Content-Security-Policy, no framing, no MIME sniffing, same-origin referrers, no caching of API answers, and HSTS when the browser reaches the server over HTTPS. */

import type { onSendHookHandler } from 'fastify';

const ALWAYS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  // For browsers that predate CSP's frame-ancestors.
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** `localHttp`: plain HTTP on this machine, where Strict-Transport-Security would mean nothing. */
export function securityHeaders(localHttp: boolean): onSendHookHandler {
  const headers = localHttp ? ALWAYS : { ...ALWAYS, 'strict-transport-security': 'max-age=31536000' };
  return async (request, reply, payload) => {
    reply.headers(headers);
    reply.header('x-request-id', request.id);
    // Answers carry session and CSRF tokens and personal data: never kept by a browser or proxy cache.
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  };
}
