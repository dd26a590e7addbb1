/** The pages' one way to call the console server: JSON in and out, the session's CSRF token on every state-changing call, and every failure as a sentence to show. */

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string; status: number };

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

let csrfToken = '';

/** Kept from POST or GET /api/session, and sent as X-CSRF-Token on POST, PUT and DELETE. */
export function useCsrfToken(token: string): void {
  csrfToken = token;
}

function isEnvelope(value: unknown): value is { ok: true; value: unknown } | { ok: false; error: string } {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  return value.ok === true ? 'value' in value : 'error' in value && typeof value.error === 'string';
}

/** `path` with the non-empty fields of `params` as its query string. */
export function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && String(value).trim() !== '') query.set(key, String(value).trim());
  }
  const text = query.toString();
  return text === '' ? path : `${path}?${text}`;
}

/** Calls the server; answers `{ ok: false, error }` with the server's own sentence, or one of ours when it did not answer in JSON. */
export async function api<T>(method: Method, path: string, body?: unknown): Promise<Outcome<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, credentials: 'same-origin', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch {
    return { ok: false, error: 'The console server did not answer: check the network connection and try again.', status: 0 };
  }
  let answer: unknown;
  try {
    answer = await response.json();
  } catch {
    return { ok: false, error: `The console server answered ${response.status} ${response.statusText} without a readable message.`, status: response.status };
  }
  if (!isEnvelope(answer)) return { ok: false, error: `The console server answered ${response.status} in a form this page does not know.`, status: response.status };
  if (answer.ok) return { ok: true, value: answer.value as T };
  return { ok: false, error: answer.error, status: response.status };
}
