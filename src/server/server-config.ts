/** `portcullis server`'s settings from its flags and DATABASE_URL: where it listens, where its data lives, and whether the browser reaches it over HTTPS (TLS here, or a proxy in front) or plain HTTP on this machine. */

import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import { plainIssueMessages } from '../policy/zod-issues';
import type { Result } from '../policy/policy-document';

/** Where the SQLite database lives when neither --data nor DATABASE_URL is given (as the agent keeps /var/lib/portcullis). */
export const DEFAULT_DATA_DIR = '/var/lib/portcullis-server';
/** This machine only, until TLS or a proxy is set up. */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8443;

export type ServerStorage = { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; databaseUrl: string };

export interface ServerConfig {
  host: string;
  /** 0: any free port (tests). */
  port: number;
  storage: ServerStorage;
  tls: { certFile: string; keyFile: string } | undefined;
  /** Fastify trustProxy: the HTTPS proxy's addresses (`loopback`, `10.0.0.5`, `10.0.0.0/24`, comma-separated). */
  proxy: string | undefined;
  /** Neither TLS nor a proxy: plain HTTP on a loopback address, so the session cookie cannot be Secure. */
  localHttp: boolean;
  /** `--policy-key FILE`: the policy-signing private key; without it, DIR/policy-signing.key in the SQLite data directory (made on first start). */
  policyKeyFile?: string;
  /** `--mail FILE`: the SMTP settings (JSON, mail-settings.ts); without it the server sends no email. */
  mailSettingsFile?: string;
  /** `--staff-email-domain DOMAIN`: staff addresses are USER@DOMAIN for PC user names that are not addresses already. */
  staffEmailDomain?: string;
  /** `--sso FILE`: the single sign-on providers (JSON, sso/sso-settings.ts); without it, passwords only. */
  ssoSettingsFile?: string;
}

/** The command's flags as parsed (all text). */
export interface ServerFlags {
  data?: string;
  port?: string;
  host?: string;
  'tls-cert'?: string;
  'tls-key'?: string;
  proxy?: string;
  'policy-key'?: string;
  mail?: string;
  'staff-email-domain'?: string;
  sso?: string;
}

const text = z.string().trim().min(1, { error: 'must not be empty' });

const flagsSchema = z.strictObject({
  data: text.optional(),
  port: z
    .string()
    .regex(/^[0-9]{1,5}$/, { error: (issue) => `expected a port number from 0 to 65535, not ${JSON.stringify(issue.input)}` })
    .transform(Number)
    .pipe(z.int().max(65535, { error: 'expected a port number from 0 to 65535' }))
    .optional(),
  host: text.optional(),
  'tls-cert': text.optional(),
  'tls-key': text.optional(),
  proxy: text.optional(),
  'policy-key': text.optional(),
  mail: text.optional(),
  sso: text.optional(),
  'staff-email-domain': text
    .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/, { error: (issue) => `expected a domain such as school.sch.uk, not ${JSON.stringify(issue.input)}` })
    .optional(),
});

/** 127.0.0.0/8, ::1 and localhost: reachable from this machine only. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1' || host === '[::1]') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** SQLite in `data` (DEFAULT_DATA_DIR when not given), or PostgreSQL when DATABASE_URL is set in `env`; both at once is refused. */
export function resolveStorage(data: string | undefined, env: NodeJS.ProcessEnv): Result<ServerStorage> {
  const databaseUrl = env.DATABASE_URL?.trim();
  if (databaseUrl === undefined || databaseUrl === '') return { ok: true, value: { kind: 'sqlite', dataDir: resolve(data ?? DEFAULT_DATA_DIR) } };
  if (data !== undefined) return { ok: false, error: '--data: DATABASE_URL is set too: give --data for SQLite or DATABASE_URL for PostgreSQL, not both' };
  return { ok: true, value: { kind: 'postgres', databaseUrl } };
}

/** Checks the flags together with DATABASE_URL from `env`; every error names the flag or variable. */
export function resolveServerConfig(flags: ServerFlags, env: NodeJS.ProcessEnv): Result<ServerConfig> {
  const parsed = flagsSchema.safeParse(flags, { error: plainIssueMessages });
  if (!parsed.success) return { ok: false, error: parsed.error.issues.map((issue) => `--${issue.path.map(String).join('.')}: ${issue.message}`).join('; ') };
  const { data, port, host, 'tls-cert': certFile, 'tls-key': keyFile, proxy, 'policy-key': policyKey, mail, 'staff-email-domain': staffEmailDomain, sso } = parsed.data;
  const storage = resolveStorage(data, env);
  if (!storage.ok) return storage;
  if (storage.value.kind === 'postgres' && policyKey === undefined) {
    return { ok: false, error: '--policy-key: with DATABASE_URL there is no data directory to keep the policy-signing key in: make one with portcullis policy keygen --out DIR and give --policy-key DIR/policy-signing.key (every server sharing the database needs the same key)' };
  }
  if ((certFile === undefined) !== (keyFile === undefined)) return { ok: false, error: `--${certFile === undefined ? 'tls-cert' : 'tls-key'}: HTTPS needs both --tls-cert and --tls-key` };
  const listenHost = host ?? DEFAULT_HOST;
  const tls = certFile !== undefined && keyFile !== undefined ? { certFile: resolve(certFile), keyFile: resolve(keyFile) } : undefined;
  const localHttp = tls === undefined && proxy === undefined;
  if (localHttp && !isLoopback(listenHost)) {
    return {
      ok: false,
      error: `--host: plain HTTP on ${listenHost} would send passwords across the network: give --tls-cert and --tls-key, or put an HTTPS proxy in front and name it with --proxy`,
    };
  }
  const extras = {
    ...(policyKey === undefined ? {} : { policyKeyFile: resolve(policyKey) }),
    ...(mail === undefined ? {} : { mailSettingsFile: resolve(mail) }),
    ...(staffEmailDomain === undefined ? {} : { staffEmailDomain: staffEmailDomain.toLowerCase() }),
    ...(sso === undefined ? {} : { ssoSettingsFile: resolve(sso) }),
  };
  return { ok: true, value: { host: listenHost, port: port ?? DEFAULT_PORT, storage: storage.value, tls, proxy, localHttp, ...extras } };
}
