/** The console server's address as the agent is given it: HTTPS, or plain HTTP to this PC only (development and tests). */
import type { Result } from '../../policy/policy-document';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost']);

/**
 * Reads `https://console.school.example` (a port is allowed). Plain `http://` only for
 * 127.0.0.1 or localhost; no path, query, fragment or user name, because every agent call is
 * signed over the exact path the server sees.
 */
export function parseServerUrl(text: string): Result<URL> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, error: `${JSON.stringify(text)} is not a URL: expected the server's address, such as https://portcullis.school.example` };
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname))) {
    return { ok: false, error: `${text}: expected an https:// address (plain http:// only to 127.0.0.1 or localhost)` };
  }
  if (url.username !== '' || url.password !== '') return { ok: false, error: `${text}: a user name or password does not belong in the address` };
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    return { ok: false, error: `${text}: expected the server's address only, with no path (such as https://portcullis.school.example)` };
  }
  return { ok: true, value: url };
}

/** The address in one spelling (no trailing slash), for comparing and for messages. */
export function serverOrigin(url: URL): string {
  return url.origin;
}
