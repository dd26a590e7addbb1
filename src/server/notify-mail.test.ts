import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forwardedRequest } from '../../test/support/approvals-server';
import { agentKeyPair } from '../../test/support/agent-server';
import { addUser, TEST_SCRYPT_PARAMS } from '../../test/support/console-server';
import { forEachDatabase, silentLogger } from '../../test/support/databases';
import { FakeScheduler } from '../../test/support/fake-scheduler';
import { parseRawMail } from '../../test/support/raw-mail';
import { sampleDevice } from '../../test/support/sample-device';
import { startSmtpCapture, type SmtpCapture } from '../../test/support/smtp-capture';
import { deviceIdentity, type AuditEvent } from '../audit/audit-event';
import { GENESIS_PREV, sealRecord } from '../audit/audit-record';
import type { Device } from '../devices/device';
import { writeSigningKeyPair } from '../policy/policy-keys';
import { AGENT_PATHS, type EnrolAnswer } from './agent-protocol';
import { AgentStore, createEnrolToken } from './agent-store';
import { signAgentRequest } from './auth/agent-request-auth';
import { dangerOf } from './notify-violations';
import type { ServerConfig } from './server-config';
import { startServer, type RunningServer } from './start-server';

const BAD_USB: Device = sampleDevice({
  id: { vendor: '1234', product: '5678' },
  name: '<script>alert("x")</script> & Co',
  hash: 'badusb-hash=',
  interfaces: [
    { classCode: 0x08, subclass: 0x06, protocol: 0x50 },
    { classCode: 0x03, subclass: 0x01, protocol: 0x01 },
  ],
  warnings: ['this USB storage device also presents itself as a keyboard'],
});
const TETHER: Device = sampleDevice({ id: { vendor: '18d1', product: '4ee3' }, name: 'Pixel 8', hash: 'tether-hash=', kind: 'network', interfaces: [{ classCode: 0xe0, subclass: 0x01, protocol: 0x03 }] });

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 300));

describe('the list of dangerous blocked devices', () => {
  it('holds storage that presents a keyboard and network adapters, not a plain stick or a device whose interfaces are unknown', () => {
    expect(dangerOf(deviceIdentity(BAD_USB))).toContain('BadUSB');
    expect(dangerOf({ kind: 'network' })).toContain('web filter');
    expect(dangerOf(deviceIdentity(sampleDevice()))).toBeUndefined();
    expect(dangerOf({ kind: 'storage' })).toBeUndefined();
    expect(dangerOf({ kind: 'keyboard', interfaces: ['03:01:01'] })).toBeUndefined();
  });
});

forEachDatabase((harness) => {
  let dir: string;
  let smtp: SmtpCapture;
  let running: RunningServer | undefined;
  let base: string;
  let agent: EnrolAnswer & { privateKey: ReturnType<typeof agentKeyPair>['privateKey'] };
  let chain: { seq: number; prev: string };

  const call = async (path: string, body: unknown): Promise<unknown> => {
    const text = JSON.stringify(body);
    const authorization = signAgentRequest({ agentId: agent.agentId, privateKey: agent.privateKey, method: 'POST', path, body: text, now: Date.now() });
    const answer = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: text });
    expect(answer.status).toBe(200);
    return answer.json();
  };
  /** Sends `events` as the next records of the agent's chain; `skip` leaves seqs out first (a break). */
  const audit = (events: AuditEvent[], skip = 0): Promise<unknown> => {
    chain.seq += skip;
    const lines = events.map((event) => {
      const sealed = sealRecord({ seq: chain.seq, time: '2026-09-07T09:15:00.000Z', machine: 'ICT-SUITE-07', user: 'pupil7', event, prev: chain.prev });
      chain = { seq: chain.seq + 1, prev: sealed.record.hash };
      return sealed.line;
    });
    return call(AGENT_PATHS.audit, { lines });
  };
  const blocked = (device: Device): AuditEvent => ({ type: 'device-decided', device: deviceIdentity(device), target: 'block', implicit: true, reason: 'blocked: no rule allows it' });
  const mailTo = (address: string) => smtp.messages.filter((m) => m.to.includes(address)).map((m) => parseRawMail(m.raw));

  async function start(withMail: boolean): Promise<void> {
    const fresh = await harness.migrated();
    const it = await addUser(fresh.db, 'it@school.example', 'it-admin');
    await addUser(fresh.db, 'slt1@school.example', 'slt-approver');
    await addUser(fresh.db, 'slt2@school.example', 'slt-approver');
    const gone = await addUser(fresh.db, 'slt-gone@school.example', 'slt-approver');
    await fresh.db.run('UPDATE users SET disabled_at = ? WHERE id = ?', ['2026-09-01T08:00:00.000Z', gone.id]);
    await addUser(fresh.db, 'head@school.example', 'headteacher');
    await addUser(fresh.db, 'dpo@school.example', 'dpo');
    const { token } = await createEnrolToken(new AgentStore({ db: fresh.db }), it.id);
    await fresh.db.close();
    const key = await writeSigningKeyPair(join(dir, 'keys'), { force: false });
    if (!key.ok) throw new Error(key.error);
    const mailFile = join(dir, 'mail.json');
    writeFileSync(mailFile, JSON.stringify({ host: '127.0.0.1', port: smtp.port, from: 'portcullis@school.example', consoleUrl: 'https://portcullis.school.example/' }));
    const storage: ServerConfig['storage'] = fresh.options.databaseUrl === undefined ? { kind: 'sqlite', dataDir: fresh.options.dataDir ?? '' } : { kind: 'postgres', databaseUrl: fresh.options.databaseUrl };
    const config: ServerConfig = {
      host: '127.0.0.1', port: 0, storage, tls: undefined, proxy: undefined, localHttp: true,
      ...(storage.kind === 'postgres' ? { policyKeyFile: key.value.privateKeyPath } : {}),
      ...(withMail ? { mailSettingsFile: mailFile } : {}),
    };
    running = await startServer(config, { log: { level: 'silent' }, logger: silentLogger, scryptParams: TEST_SCRYPT_PARAMS, scheduler: new FakeScheduler(), plugins: [] });
    base = running.url.replace(/\/$/, '');
    const { privateKey, publicKey } = agentKeyPair();
    const enrolled = await fetch(`${base}${AGENT_PATHS.enrol}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, machine: 'ICT-SUITE-07', publicKey, version: '0.1.0' }) });
    agent = { ...((await enrolled.json()) as EnrolAnswer), privateKey };
    chain = { seq: 1, prev: GENESIS_PREV };
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portcullis-notify-'));
    smtp = await startSmtpCapture();
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await smtp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('emails each active SLT approver once for a new request, with the explanation and the requests page, and not for a merged copy', async () => {
    await start(true);
    await call(AGENT_PATHS.requests, { requests: [forwardedRequest('local-1', {}, BAD_USB)] });
    await until(() => smtp.messages.length >= 2, 'two emails');
    await call(AGENT_PATHS.requests, { requests: [forwardedRequest('local-2', { user: 'jsmith', justification: 'me too' }, BAD_USB)] });
    await settle();
    expect(smtp.messages.map((m) => m.to)).toEqual(expect.arrayContaining([['slt1@school.example'], ['slt2@school.example']]));
    expect(smtp.messages).toHaveLength(2);
    const [mail] = mailTo('slt1@school.example');
    expect(mail?.header('subject')).toBe('Approval needed: USB storage device \'<script>alert("x")</script> & Co\' on ICT-SUITE-07 for kteacher');
    expect(mail?.text).toContain('  - This USB storage device also presents itself as a keyboard.');
    expect(mail?.text).toContain('https://portcullis.school.example/requests');
    expect(mail?.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(mail?.html).not.toContain('<script>');
  });

  it('emails the headteacher once when an agent\'s audit chain breaks, not again for later batches or later breaks', async () => {
    await start(true);
    await audit([{ type: 'service-started', version: '0.1.0', mode: 'enforce', policy: 'p' }]);
    expect(await audit([{ type: 'policy-loaded', source: 'server', version: 1, ruleCount: 0 }], 2)).toMatchObject({ chainOk: false });
    await until(() => smtp.messages.length >= 1, 'an email');
    await audit([{ type: 'policy-loaded', source: 'server', version: 2, ruleCount: 0 }]);
    await audit([{ type: 'policy-loaded', source: 'server', version: 3, ruleCount: 0 }], 3);
    await settle();
    expect(smtp.messages.map((m) => m.to)).toEqual([['head@school.example']]);
    const [mail] = mailTo('head@school.example');
    expect(mail?.header('subject')).toBe('Policy alert: the audit log of ICT-SUITE-07 does not join up');
    expect(mail?.text).toContain('seq 2 to 3 missing: seq 4 came after seq 1');
  });

  it('emails the headteacher when a BadUSB or a network adapter is blocked, not for a plain stick; names are escaped', async () => {
    await start(true);
    await audit([blocked(sampleDevice()), blocked(BAD_USB)]);
    await until(() => mailTo('head@school.example').length >= 1, 'the BadUSB email');
    await audit([blocked(TETHER)]);
    await until(() => mailTo('head@school.example').length >= 2, 'the tethering email');
    await settle();
    expect(smtp.messages).toHaveLength(2);
    const subjects = mailTo('head@school.example').map((m) => m.header('subject'));
    expect(subjects).toEqual(
      expect.arrayContaining(['Policy alert: USB storage device \'<script>alert("x")</script> & Co\' blocked on ICT-SUITE-07', "Policy alert: network adapter 'Pixel 8' blocked on ICT-SUITE-07"]),
    );
    const badUsb = mailTo('head@school.example').find((m) => m.text.includes('BadUSB'));
    expect(badUsb?.text).toContain('Logged on:');
    expect(badUsb?.html).toContain('&lt;script&gt;');
    expect(badUsb?.html).not.toContain('<script>');
  });

  it('sends nothing without mail settings', async () => {
    await start(false);
    await call(AGENT_PATHS.requests, { requests: [forwardedRequest('local-1', {}, BAD_USB)] });
    await audit([blocked(TETHER)], 2);
    await settle();
    expect(smtp.messages).toHaveLength(0);
  });
});
