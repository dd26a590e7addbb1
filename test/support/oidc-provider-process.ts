/** A real OpenID Connect provider for tests: oidc-provider in its own node process (test/support/oidc-provider.mjs) on 127.0.0.1, given its clients and accounts once the console's callback address is known. */

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { SsoProvider } from '../../src/server/sso/sso-settings';

/** The claims an account's ID token carries besides `sub` (its login at the provider's form). */
export interface TestAccountClaims {
  email?: string;
  email_verified?: boolean;
  hd?: string;
  name?: string;
}

export interface TestClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
}

export interface OidcProviderProcess {
  /** http://127.0.0.1:PORT */
  issuer: string;
  /** Gives the provider its clients and accounts; it answers once this resolves. */
  configure(setup: { clients: TestClient[]; accounts: Record<string, TestAccountClaims> }): Promise<void>;
  stop(): Promise<void>;
}

export const TEST_CLIENT_SECRET = 'a-test-client-secret-that-is-long-enough-for-hs256';

/** The SSO settings of a console that knows this provider as `id`, with this client id and the test secret. */
export function testSsoProvider(issuer: string, overrides: Partial<SsoProvider> = {}): SsoProvider {
  return { id: 'test', label: 'Sign in with the test provider', issuer, clientId: 'portcullis', clientSecret: TEST_CLIENT_SECRET, allowedDomains: undefined, ...overrides };
}

export async function startOidcProvider(): Promise<OidcProviderProcess> {
  const child = spawn(process.execPath, [join(__dirname, 'oidc-provider.mjs')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async <T>(): Promise<T> => {
    const line = await Promise.race([lines.next(), exited.then(() => ({ done: true as const, value: undefined }))]);
    if (line.done === true) throw new Error(`the test OpenID provider stopped: ${stderr}`);
    return JSON.parse(line.value) as T;
  };
  const { issuer } = await nextLine<{ issuer: string }>();
  return {
    issuer,
    async configure(setup) {
      child.stdin.write(`${JSON.stringify(setup)}\n`);
      await nextLine<{ ready: true }>();
    },
    async stop() {
      child.stdin.end();
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}
