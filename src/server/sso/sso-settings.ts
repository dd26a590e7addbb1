/** The `--sso FILE` settings: the OpenID Connect providers the sign-in page offers (Google Workspace, Microsoft Entra), checked field by field, each client secret read from a file of its own. */

import { z } from 'zod';
import type { Result } from '../../policy/policy-document';
import { formatIssues, plainIssueMessages } from '../../policy/zod-issues';
import { isLoopbackHost } from '../mail/mail-settings';

export interface SsoProvider {
  /** In the console's paths: `/sso/<id>/start`, `/sso/<id>/callback`. */
  id: string;
  /** The sign-in page's button. */
  label: string;
  issuer: string;
  clientId: string;
  /** Read from `clientSecretFile`; never logged. */
  clientSecret: string;
  /** Lower-cased; undefined: any domain (the console account decides). */
  allowedDomains: readonly string[] | undefined;
}

export interface SsoSettings {
  /** The console's address as browsers reach it (no trailing slash); undefined: taken from each request's Host. */
  consoleUrl: string | undefined;
  providers: readonly SsoProvider[];
}

/** A provider's id, as it appears in the console's paths. */
export const PROVIDER_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;
export const PROVIDER_ID_WORDS = 'expected a short name of lower-case letters, digits and hyphens, such as google';

const SECRET_NOT_HERE = 'never put the client secret in this file: name a file that holds only it (clientSecretFile)';
const DOMAIN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/** https://, or http:// for a provider or console on this computer (trying it out); a plain address without query, fragment or login. */
function webAddress(what: string) {
  return z.url({ protocol: /^https?$/, error: `expected ${what}`, abort: true }).superRefine((text, context) => {
    const url = new URL(text);
    if (url.protocol !== 'https:' && !isLoopbackHost(url.hostname)) context.addIssue({ code: 'custom', message: 'expected an https:// address (http:// only on this computer)' });
    if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') context.addIssue({ code: 'custom', message: 'expected a plain web address, without a query, fragment or login' });
  });
}

const providerSchema = z.strictObject({
  id: z.string().regex(PROVIDER_ID, { error: PROVIDER_ID_WORDS }),
  label: z.string().trim().min(1, { error: 'expected the button’s words, such as "Sign in with Google"' }).max(60, { error: 'expected at most 60 characters' }),
  issuer: webAddress('the provider’s issuer, such as https://accounts.google.com or https://login.microsoftonline.com/<tenant>/v2.0'),
  clientId: z.string().trim().min(1, { error: 'expected the client ID the provider gave Portcullis' }).max(512),
  clientSecretFile: z.string().min(1, { error: 'expected the path of a file that holds only the client secret' }),
  clientSecret: z.never({ error: SECRET_NOT_HERE }).optional(),
  allowedDomains: z
    .array(z.string().trim().toLowerCase().regex(DOMAIN, { error: 'expected a domain such as school.sch.uk' }))
    .min(1, { error: 'expected at least one domain (or leave allowedDomains out)' })
    .optional(),
});

const settingsSchema = z
  .strictObject({
    consoleUrl: webAddress('the console’s web address, such as https://portcullis.school.sch.uk').optional(),
    providers: z.array(providerSchema).min(1, { error: 'expected at least one provider' }),
  })
  .superRefine((settings, context) => {
    const seen = new Set<string>();
    settings.providers.forEach((provider, index) => {
      if (seen.has(provider.id)) context.addIssue({ code: 'custom', path: ['providers', index, 'id'], message: `another provider is already called ${provider.id}` });
      seen.add(provider.id);
    });
  });

/** Reads a secret file's text (fs.readFile in production). */
export type ReadText = (path: string) => Promise<string>;

/**
 * The settings in `file`: every problem names the file and the field
 * (`sso.json: providers[1].issuer: ...`); a secret file that cannot be read or is empty is named
 * by its field and path, never by what it holds.
 */
export async function loadSsoSettings(file: string, readText: ReadText): Promise<Result<SsoSettings>> {
  let value: unknown;
  try {
    value = JSON.parse(await readText(file));
  } catch (error) {
    return { ok: false, error: `${file}: cannot read it as JSON: ${(error as Error).message}` };
  }
  const parsed = settingsSchema.safeParse(value, { error: plainIssueMessages });
  if (!parsed.success) return { ok: false, error: formatIssues(file, parsed.error.issues) };
  const providers: SsoProvider[] = [];
  for (const [index, provider] of parsed.data.providers.entries()) {
    const where = `${file}: providers[${index}].clientSecretFile`;
    const secret = await readText(provider.clientSecretFile).then(
      (text) => text.trim(),
      (error: NodeJS.ErrnoException) => ({ error: `${where}: cannot read ${provider.clientSecretFile} (${error.code ?? error.message})` }),
    );
    if (typeof secret !== 'string') return { ok: false, error: secret.error };
    if (secret === '') return { ok: false, error: `${where}: ${provider.clientSecretFile} is empty` };
    const { id, label, issuer, clientId, allowedDomains } = provider;
    providers.push({ id, label, issuer, clientId, clientSecret: secret, allowedDomains });
  }
  return { ok: true, value: { consoleUrl: parsed.data.consoleUrl?.replace(/\/+$/, ''), providers } };
}
