import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GOOD_PASSWORD, TEST_SCRYPT_PARAMS } from '../../../test/support/console-server';
import { forEachDatabase, silentLogger } from '../../../test/support/databases';
import { runCommand } from '../../../test/support/run-command';
import { databaseTarget, policyKeyArgs } from '../../../test/support/server-targets';
import { PASSWORD_PROBLEMS } from '../../server/auth/password-rules';
import { openDatabase } from '../../server/db/open-database';
import { UsageError, type CliIo, type Command } from '../command';
import { createServerCommands } from './server';

/** The commands, with cheap hashing, quiet logs, and a stop the test pulls. */
function commands(env: NodeJS.ProcessEnv) {
  let stop: (reason: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  const list = createServerCommands({ env, untilStopped: () => stopped, log: { level: 'silent' }, logger: silentLogger, scryptParams: TEST_SCRYPT_PARAMS });
  const byPath = (path: string): Command => {
    const command = list.find((candidate) => candidate.path.join(' ') === path);
    if (command === undefined) throw new Error(`no command ${path}`);
    return command;
  };
  return { server: byPath('server'), token: byPath('server enrol-token'), revoke: byPath('server agent revoke'), add: byPath('server user add'), disable: byPath('server user disable'), unlock: byPath('server user unlock'), stop: (reason = 'SIGTERM') => stop(reason) };
}

/** Runs `portcullis server` until `listening` has seen its first line; the run's promise and what it printed. */
async function startServerCommand(command: Command, args: string[]): Promise<{ done: Promise<number>; out: () => string; url: string }> {
  let out = '';
  let announce: (line: string) => void = () => undefined;
  const announced = new Promise<string>((resolve) => (announce = resolve));
  const io: CliIo = {
    readStdin: async () => '',
    out: (text) => {
      out += text;
      announce(text);
    },
    err: (text) => void (out += text),
  };
  const done = command.run(args, io);
  const line = await Promise.race([announced, done.then((status) => `exited ${status}: ${out}`)]);
  const url = /listening on (\S+)/.exec(line)?.[1];
  if (url === undefined) throw new Error(`the server did not start: ${line}`);
  return { done, out: () => out, url };
}

forEachDatabase((harness) => {
  describe('portcullis server user add', () => {
    it('adds an account from a password on standard input, then refuses the same email', async () => {
      const fresh = await harness.empty();
      const { args, env } = databaseTarget(fresh);
      const { add } = commands(env);
      const added = await runCommand(add, ['--email', 'Ann.Head@School.example', '--role', 'headteacher', '--name', 'Ann Head', ...args], `${GOOD_PASSWORD}\nignored second line\n`);
      expect(added).toEqual({ status: 0, out: 'Added ann.head@school.example (Ann Head, headteacher): they can sign in to the console now.\n', err: '' });
      const again = await runCommand(add, ['--email', 'ANN.HEAD@school.example', '--role', 'dpo', ...args], `${GOOD_PASSWORD}\r\n`);
      expect(again).toEqual({ status: 1, out: '', err: 'email: a user with the email ann.head@school.example already exists\n' });
      const db = await openDatabase(fresh.options, { logger: silentLogger });
      expect(await db.all('SELECT email, role, display_name FROM users')).toEqual([{ email: 'ann.head@school.example', role: 'headteacher', display_name: 'Ann Head' }]);
      await db.close();
    });

    it('refuses a weak password listing every problem, and a bad role listing the four', async () => {
      const { args, env } = databaseTarget(await harness.empty());
      const { add } = commands(env);
      const weak = await runCommand(add, ['--email', 'dpo@school.example', '--role', 'dpo', ...args], 'summer\n');
      expect(weak.status).toBe(1);
      expect(weak.err).toBe(`password: refused:\n${[PASSWORD_PROBLEMS.tooShort, PASSWORD_PROBLEMS.noNumber, PASSWORD_PROBLEMS.noSpecial, PASSWORD_PROBLEMS.common].map((p) => `  - ${p}\n`).join('')}`);
      const role = await runCommand(add, ['--email', 'dpo@school.example', '--role', 'governor', ...args], `${GOOD_PASSWORD}\n`);
      expect(role).toEqual({ status: 1, out: '', err: 'role: expected one of slt-approver, it-admin, headteacher, dpo, not "governor"\n' });
    });

    it('disables and unlocks accounts by email', async () => {
      const { args, env } = databaseTarget(await harness.empty());
      const { add, disable, unlock } = commands(env);
      await runCommand(add, ['--email', 'it@school.example', '--role', 'it-admin', ...args], `${GOOD_PASSWORD}\n`);
      expect((await runCommand(unlock, ['--email', 'IT@school.example', ...args])).out).toBe('it@school.example (it, it-admin): unlocked; they can sign in again.\n');
      expect((await runCommand(disable, ['--email', 'it@school.example', ...args])).out).toBe('it@school.example (it, it-admin, disabled): disabled; their sessions have ended.\n');
      expect(await runCommand(disable, ['--email', 'who@school.example', ...args])).toEqual({ status: 1, out: '', err: 'email: no user has the email who@school.example\n' });
    });
  });

  describe('portcullis server enrol-token', () => {
    it('issues a token from the only IT admin, valid for --hours, printing only the token on standard output', async () => {
      const fresh = await harness.empty();
      const { args, env } = databaseTarget(fresh);
      const { token, add } = commands(env);
      const none = await runCommand(token, args);
      expect(none).toEqual({ status: 1, out: '', err: '--by: there is no IT admin: add one with portcullis server user add --role it-admin, or name the console user with --by EMAIL\n' });
      await runCommand(add, ['--email', 'it@school.example', '--role', 'it-admin', ...args], `${GOOD_PASSWORD}\n`);
      const before = Date.now();
      const issued = await runCommand(token, ['--hours', '2', ...args]);
      expect(issued.status).toBe(0);
      expect(issued.out).toMatch(/^pce_[0-9A-Za-z]+\n$/);
      expect(issued.err).toMatch(/^One-time enrolment token issued by it@school.example, valid until \S+: it enrols one PC/);
      const db = await openDatabase(fresh.options, { logger: silentLogger });
      const rows = await db.all<{ created_by: string; expires_at: string; email: string }>('SELECT t.created_by, t.expires_at, u.email FROM enrol_tokens t JOIN users u ON u.id = t.created_by');
      await db.close();
      expect(rows).toHaveLength(1);
      expect(rows[0]?.email).toBe('it@school.example');
      expect(Date.parse(rows[0]?.expires_at ?? '') - before).toBeGreaterThanOrEqual(2 * 3600_000 - 1000);
      expect(Date.parse(rows[0]?.expires_at ?? '') - before).toBeLessThan(2 * 3600_000 + 60_000);
    });

    it('asks which IT admin issues it when there are several, and refuses an unknown --by or bad --hours', async () => {
      const { args, env } = databaseTarget(await harness.empty());
      const { token, add } = commands(env);
      for (const email of ['it@school.example', 'tech@school.example']) await runCommand(add, ['--email', email, '--role', 'it-admin', ...args], `${GOOD_PASSWORD}\n`);
      expect((await runCommand(token, args)).err).toBe('--by: there are 2 IT admins (it@school.example, tech@school.example): say which of you it is with --by EMAIL\n');
      expect((await runCommand(token, ['--by', 'TECH@school.example', ...args])).status).toBe(0);
      expect(await runCommand(token, ['--by', 'who@school.example', ...args])).toEqual({ status: 1, out: '', err: '--by: no console user has the email who@school.example\n' });
      await expect(runCommand(token, ['--hours', '0', ...args])).rejects.toThrow(new UsageError('--hours: expected a whole number of hours from 1 to 336, not "0"'));
    });
  });

  describe('portcullis server agent revoke', () => {
    it('revokes an agent as the IT admin, once', async () => {
      const fresh = await harness.empty();
      const { args, env } = databaseTarget(fresh);
      const { revoke, add } = commands(env);
      await runCommand(add, ['--email', 'it@school.example', '--role', 'it-admin', ...args], `${GOOD_PASSWORD}\n`);
      const db = await openDatabase(fresh.options, { logger: silentLogger });
      await db.run("INSERT INTO agents (id, machine, public_key, enrolled_at) VALUES ('agt_1', 'PC-1', 'k', '2026-09-01T00:00:00.000Z')");
      await db.close();
      expect(await runCommand(revoke, ['--id', 'agt_1', ...args])).toEqual({ status: 0, out: 'Revoked agent agt_1: the PC must be enrolled again to take part.\n', err: '' });
      expect(await runCommand(revoke, ['--id', 'agt_1', ...args])).toEqual({ status: 1, out: '', err: '--id: agent agt_1 was already revoked\n' });
      expect(await runCommand(revoke, ['--id', 'agt_2', ...args])).toEqual({ status: 1, out: '', err: '--id: no agent agt_2\n' });
      const check = await openDatabase(fresh.options, { logger: silentLogger });
      expect(await check.get("SELECT u.email FROM agents a JOIN users u ON u.id = a.revoked_by WHERE a.id = 'agt_1'")).toEqual({ email: 'it@school.example' });
      await check.close();
    });
  });

  describe('portcullis server', () => {
    it('starts, answers /api/health, and stops when told', async () => {
      const fresh = await harness.empty();
      const { args, env } = databaseTarget(fresh);
      const { server, stop } = commands(env);
      const running = await startServerCommand(server, [...args, ...(await policyKeyArgs(fresh)), '--port', '0']);
      expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(running.out()).toContain(harness.engine === 'sqlite' ? '(SQLite in ' : '(PostgreSQL from DATABASE_URL)');
      const health = await fetch(new URL('api/health', running.url));
      expect(await health.json()).toEqual({ ok: true, value: { status: 'ok', version: expect.any(String), database: harness.engine } });
      // The agents' API and the approvals console are both there.
      const enrol = await fetch(new URL('api/agent/enrol', running.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'pce_0000', machine: 'PC', publicKey: 'k', version: '1' }) });
      expect(enrol.status).toBe(403);
      expect((await fetch(new URL('api/requests', running.url))).status).toBe(401);
      if (fresh.options.dataDir !== undefined) expect(readFileSync(join(fresh.options.dataDir, 'policy-signing.key'), 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
      stop();
      expect(await running.done).toBe(0);
      await expect(fetch(new URL('api/health', running.url))).rejects.toThrow();
    });
  });
});

describe('portcullis server flags', () => {
  it('refuses bad flags as usage errors naming them', async () => {
    const { server, add } = commands({ DATABASE_URL: 'postgres://x@db.example/p' });
    await expect(runCommand(server, ['--port', 'http'])).rejects.toThrow(new UsageError('--port: expected a port number from 0 to 65535, not "http"'));
    await expect(runCommand(server, ['--data', '/srv/p'])).rejects.toThrow(/--data: DATABASE_URL is set too/);
    await expect(runCommand(add, ['--role', 'dpo'])).rejects.toThrow(new UsageError('--email is required'));
    await expect(runCommand(add, ['--email', 'a@b.example', '--role', 'dpo'], '')).rejects.toThrow(/give the new password on standard input, one line/);
  });

  it('serves HTTPS with --tls-cert and --tls-key on any address, with Secure cookies and HSTS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
      const { server, add, stop } = commands({});
      const running = await startServerCommand(server, ['--data', join(dir, 'data'), '--host', '0.0.0.0', '--port', '0', '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')]);
      expect(running.url).toMatch(/^https:\/\/0\.0\.0\.0:\d+\/$/);
      const port = new URL(running.url).port;
      const ca = readFileSync(join(dir, 'cert.pem'));
      const call = (method: string, path: string, body?: object) =>
        new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
          const request = httpsRequest({ host: '127.0.0.1', port, path, method, ca, servername: 'localhost', headers: body === undefined ? {} : { 'content-type': 'application/json' } }, (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString()));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
          });
          request.on('error', reject);
          request.end(body === undefined ? undefined : JSON.stringify(body));
        });
      const health = await call('GET', '/api/health');
      expect(health).toMatchObject({ status: 200, headers: { 'strict-transport-security': 'max-age=31536000' }, body: expect.stringContaining('"status":"ok"') });
      await runCommand(add, ['--email', 'it@school.example', '--role', 'it-admin', '--data', join(dir, 'data')], `${GOOD_PASSWORD}\n`);
      const signedIn = await call('POST', '/api/session', { email: 'it@school.example', password: GOOD_PASSWORD });
      expect(signedIn.headers['set-cookie']?.[0]).toMatch(/^__Host-portcullis-session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
      stop();
      expect(await running.done).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
