/** DATABASE_URL: checked before it is used, and only ever shown with its password hidden. */

/** A DATABASE_URL that is malformed, or names a server that cannot be reached; its message never holds the password. */
export class DatabaseUrlError extends Error {
  override readonly name = 'DatabaseUrlError';
}

const EXPECTED = 'expected postgres://USER:PASSWORD@HOST:5432/DATABASE';
const SECRET_PARAMS = ['password', 'sslpassword'];

/** The URL with its password (and any password in the query, or its repetition anywhere) replaced by ***; a placeholder when it is not a URL. */
export function redactDatabaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(not a URL)';
  }
  if (parsed.password !== '') parsed.password = '***';
  for (const key of SECRET_PARAMS) if (parsed.searchParams.has(key)) parsed.searchParams.set(key, '***');
  return hideSecrets(parsed.toString().replace(/%2A%2A%2A/g, '***'), url);
}

/** The secrets `url` holds, as written and decoded, longest first. */
function secretsOf(url: string): string[] {
  const secrets = new Set<string>();
  const add = (value: string | null | undefined): void => {
    if (value === null || value === undefined || value === '') return;
    secrets.add(value);
    try {
      secrets.add(decodeURIComponent(value));
    } catch {
      // An undecodable value: the raw form is hidden, which is all that can appear.
    }
  };
  try {
    const parsed = new URL(url);
    add(parsed.password);
    for (const key of SECRET_PARAMS) for (const value of parsed.searchParams.getAll(key)) add(value);
  } catch {
    // Not a URL: its messages are never shown.
  }
  return [...secrets].sort((a, b) => b.length - a.length);
}

/** `text` (a driver's error message) with every secret of `url` replaced by ***. */
export function hideSecrets(text: string, url: string): string {
  return secretsOf(url).reduce((hidden, secret) => hidden.split(secret).join('***'), text);
}

/**
 * Throws a DatabaseUrlError naming `name` when `url` is not a postgres:// or postgresql:// URL.
 * The message does not show a URL that does not parse: the parser's own error carries the whole
 * input, password included, so it is not kept either.
 */
export function checkDatabaseUrl(url: string, name = 'DATABASE_URL'): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseUrlError(`${name} is not a valid URL: ${EXPECTED}`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new DatabaseUrlError(`${name} must start with postgres:// or postgresql://, not ${parsed.protocol}//: ${EXPECTED}`);
  }
}
