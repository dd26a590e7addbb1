import { FakeScheduler } from '../../../test/support/fake-scheduler';
import { captureLogger } from '../../../test/support/capture-logger';
import { parseRawMail } from '../../../test/support/raw-mail';
import { smtpReply, startSmtpCapture, unusedPort, type SmtpCapture } from '../../../test/support/smtp-capture';
import { parseMailSettings, type MailSettings, type MailSettingsInput } from './mail-settings';
import { createMailer, type Mailer, type MailFailure } from './mailer';
import { approvalNeededMessage, policyViolationMessage, requestDecidedMessage, type MailMessage, type RequestFacts } from './notifications';

const PASSWORD = 'correct horse battery staple';
const NOW = new Date('2026-04-20T09:00:00Z');

function settingsFor(port: number, extra: Partial<MailSettingsInput> = {}): MailSettings {
  const result = parseMailSettings({ host: '127.0.0.1', port, from: 'portcullis@school.sch.uk', consoleUrl: 'http://127.0.0.1:8080', timeoutMs: 2000, ...extra }, 'test');
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

function harness(settings: MailSettings, password?: string) {
  const scheduler = new FakeScheduler();
  const { logger, lines } = captureLogger('mail');
  const failures: MailFailure[] = [];
  const mailer = createMailer(settings, password, { scheduler, now: () => NOW, logger, onFailure: (failure) => failures.push(failure), retryDelaysMs: [1000, 4000] });
  return { mailer, scheduler, lines, failures };
}

const request: RequestFacts = {
  id: 'req-1',
  device: {
    kind: 'storage',
    name: "<script>alert('x')</script>",
    manufacturer: 'SanDisk',
    id: { vendor: '0781', product: '5567' },
    warnings: ['this USB storage device also presents itself as a keyboard'],
  },
  requester: 'kteacher',
  machine: 'ICT-07',
  justification: 'Coursework photos',
  durationDays: 30,
  requestedAt: '2026-04-20T09:00:00Z',
};
const context = { consoleUrl: 'http://127.0.0.1:8080' };

const plain: MailMessage = { to: ['kteacher@school.sch.uk'], subject: 'Hello', text: 'Hello\n', html: '<p>Hello</p>\n' };

let server: SmtpCapture | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Sends `plain` and moves the fake clock past both retry waits (1 s, then 4 s), each once it is set. */
async function sendThroughRetries(mailer: Mailer, scheduler: FakeScheduler): ReturnType<Mailer['send']> {
  let timer = scheduler.nextTimer();
  const sent = mailer.send(plain);
  await timer;
  timer = scheduler.nextTimer();
  scheduler.advance(1000);
  await timer;
  scheduler.advance(4000);
  return sent;
}

describe('Mailer against a real SMTP server', () => {
  it('delivers each notification to the right people, with the subject, text and escaped HTML', async () => {
    server = await startSmtpCapture();
    const { mailer, failures } = harness(settingsFor(server.port, { auth: { user: 'portcullis', passwordEnv: 'SMTP_PASSWORD' } }), PASSWORD);
    const messages = [
      approvalNeededMessage(request, ['slt1@school.sch.uk', 'slt2@school.sch.uk'], context),
      requestDecidedMessage(request, 'kteacher@school.sch.uk', { outcome: 'refused', reason: 'Please use <OneDrive>.' }, context),
      policyViolationMessage({ kind: 'agent-tampered', machine: 'ICT-07', time: '2026-04-20T13:05:00Z', detail: 'service stopped' }, ['head@school.sch.uk'], context),
    ];
    for (const message of messages) expect(await mailer.send(message)).toMatchObject({ ok: true, attempts: 1 });
    mailer.close();

    expect(failures).toEqual([]);
    expect(server.logins).toEqual([{ username: 'portcullis', password: PASSWORD }, { username: 'portcullis', password: PASSWORD }, { username: 'portcullis', password: PASSWORD }]);
    expect(server.messages.map((mail) => [mail.from, mail.to])).toEqual([
      ['portcullis@school.sch.uk', ['slt1@school.sch.uk', 'slt2@school.sch.uk']],
      ['portcullis@school.sch.uk', ['kteacher@school.sch.uk']],
      ['portcullis@school.sch.uk', ['head@school.sch.uk']],
    ]);
    const [needed, decided, violation] = server.messages.map((mail) => parseRawMail(mail.raw));
    expect(needed?.header('subject')).toBe("Approval needed: USB storage device '<script>alert('x')</script>' on ICT-07 for kteacher");
    expect(needed?.header('from')).toBe('Portcullis <portcullis@school.sch.uk>');
    expect(needed?.header('to')).toBe('slt1@school.sch.uk, slt2@school.sch.uk');
    expect(needed?.header('auto-submitted')).toBe('auto-generated');
    expect(needed?.text).toContain("Device:       <script>alert('x')</script>");
    expect(needed?.text).toContain('  - This USB storage device also presents itself as a keyboard.');
    expect(needed?.text).toContain('http://127.0.0.1:8080/requests');
    expect(needed?.html).toContain('<td>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</td>');
    expect(needed?.html).not.toContain('<script>');
    expect(decided?.header('subject')).toBe("Not approved: USB storage device '<script>alert('x')</script>' on ICT-07");
    expect(decided?.text).toContain('The reason given:\n  Please use <OneDrive>.');
    expect(decided?.html).toContain('Please use &lt;OneDrive&gt;.');
    expect(violation?.header('subject')).toBe('Policy alert: Portcullis on ICT-07 may have been tampered with');
    expect(violation?.text).toContain('When:           Monday 20 April 2026 at 14:05');
  });

  it('neutralises header injection in the subject', async () => {
    server = await startSmtpCapture();
    const { mailer } = harness(settingsFor(server.port));
    const attack = { ...plain, subject: 'Hello\r\nBcc: victim@evil.example\r\n\r\n<h1>forged body</h1>', to: ['kteacher@school.sch.uk'] };
    expect(await mailer.send(attack)).toMatchObject({ ok: true });
    const device = { ...request.device, name: 'Stick\r\nBcc: victim@evil.example\nX-Evil: 1' };
    expect(await mailer.send(approvalNeededMessage({ ...request, device }, ['slt@school.sch.uk'], context))).toMatchObject({ ok: true });
    mailer.close();

    expect(server.messages.map((mail) => mail.to)).toEqual([['kteacher@school.sch.uk'], ['slt@school.sch.uk']]);
    for (const raw of server.messages.map((mail) => parseRawMail(mail.raw))) {
      expect(raw.headers.filter(([name]) => name === 'subject')).toHaveLength(1);
      expect(raw.headers.map(([name]) => name)).not.toEqual(expect.arrayContaining(['bcc']));
      expect(raw.headers.map(([name]) => name)).not.toEqual(expect.arrayContaining(['x-evil']));
    }
    expect(parseRawMail(server.messages[0]?.raw ?? '').header('subject')).toBe('Hello Bcc: victim@evil.example <h1>forged body</h1>');
    expect(parseRawMail(server.messages[0]?.raw ?? '').text).toBe('Hello\n');
    expect(parseRawMail(server.messages[1]?.raw ?? '').header('subject')).toBe(
      "Approval needed: USB storage device 'Stick Bcc: victim@evil.example X-Evil: 1' on ICT-07 for kteacher",
    );
  });

  it('verifies a working server at start-up', async () => {
    server = await startSmtpCapture();
    const { mailer } = harness(settingsFor(server.port, { auth: { user: 'portcullis', passwordEnv: 'SMTP_PASSWORD' } }), PASSWORD);
    expect(await mailer.verify()).toEqual({ ok: true, value: undefined });
    mailer.close();
  });

  it('refuses to go on without STARTTLS when it is required, saying so', async () => {
    server = await startSmtpCapture();
    const { mailer, failures } = harness(settingsFor(server.port, { requireTLS: true }));
    const check = await mailer.verify();
    expect(check.ok).toBe(false);
    const expected = `through 127.0.0.1:${server.port} (STARTTLS required): the mail server does not offer STARTTLS, which these settings require (requireTLS); it said: "500 Error: command not recognized"`;
    expect(!check.ok && check.error).toContain(`cannot use the mail server ${expected}`);

    const delivery = await mailer.send(plain);
    expect(delivery).toMatchObject({ ok: false, attempts: 1 });
    expect(failures).toHaveLength(1);
    expect(failures[0]?.error).toContain(`could not send email ${expected}`);
    expect(server.messages).toEqual([]);
    mailer.close();
  });

  it('reports a refused login clearly, without the password', async () => {
    server = await startSmtpCapture({ onAuth: (_auth, _session, callback) => callback(smtpReply(535, 'Authentication credentials invalid')) });
    const { mailer, failures, lines } = harness(settingsFor(server.port, { auth: { user: 'portcullis', passwordFile: '/etc/portcullis/smtp' } }), PASSWORD);
    const check = await mailer.verify();
    expect(check).toEqual({
      ok: false,
      error: `cannot use the mail server through 127.0.0.1:${server.port} (STARTTLS if offered): the mail server refused the user name "portcullis" or its password; it said: "535 Authentication credentials invalid"`,
    });
    expect(await mailer.send(plain)).toMatchObject({ ok: false, attempts: 1 });
    expect(failures.map((failure) => failure.error)).toEqual([expect.stringContaining('refused the user name "portcullis" or its password')]);
    mailer.close();

    const everything = JSON.stringify({ check, failures, lines });
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(Buffer.from(PASSWORD).toString('base64'));
    expect(server.messages).toEqual([]);
  });

  it('retries a server that is down, then reports it, without throwing', async () => {
    const port = await unusedPort();
    const { mailer, scheduler, failures, lines } = harness(settingsFor(port));
    const delivery = sendThroughRetries(mailer, scheduler);

    const result = await delivery;
    expect(result).toMatchObject({ ok: false, attempts: 3 });
    expect(!result.ok && result.error).toContain(`could not send email through 127.0.0.1:${port} (STARTTLS if offered): nothing is accepting connections there`);
    expect(failures).toEqual([{ to: ['kteacher@school.sch.uk'], subject: 'Hello', error: !result.ok && result.error, attempts: 3, at: NOW }]);
    expect(lines.filter((line) => line.message === 'email not sent; will try again').map((line) => line.retryInMs)).toEqual([1000, 4000]);
    expect(scheduler.pending()).toEqual([]);
    mailer.close();
  });

  it('delivers once a busy server takes the message', async () => {
    let refusals = 2;
    server = await startSmtpCapture({
      onConnect: (_session, callback) => (refusals-- > 0 ? callback(smtpReply(421, 'Too busy, try later')) : callback()),
    });
    const { mailer, scheduler, failures } = harness(settingsFor(server.port));
    const delivery = sendThroughRetries(mailer, scheduler);

    expect(await delivery).toMatchObject({ ok: true, attempts: 3 });
    expect(server.connections).toBe(3);
    expect(server.messages).toHaveLength(1);
    expect(failures).toEqual([]);
    mailer.close();
  });

  it('does not retry a message the server refuses outright', async () => {
    server = await startSmtpCapture({ onRcptTo: (_address, _session, callback) => callback(smtpReply(550, 'No such user here')) });
    const { mailer, failures, scheduler } = harness(settingsFor(server.port));
    expect(await mailer.send(plain)).toMatchObject({ ok: false, attempts: 1 });
    expect(failures[0]?.error).toContain('it said: "550 No such user here"');
    expect(scheduler.pending()).toEqual([]);
    mailer.close();
  });

  it('reports a message it cannot send at all, and one waiting for a retry when closed', async () => {
    const port = await unusedPort();
    const { mailer, scheduler, failures } = harness(settingsFor(port));
    expect(await mailer.send({ ...plain, to: [] })).toEqual({ ok: false, error: 'the message has no recipients', attempts: 0 });
    expect(await mailer.send({ ...plain, to: ['a@school.sch.uk, b@evil.example'] })).toMatchObject({ ok: false, attempts: 0 });

    const timer = scheduler.nextTimer();
    const waiting = mailer.send(plain);
    await timer;
    mailer.close();
    const result = await waiting;
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(!result.ok && result.error).toContain('the server stopped before trying again');
    expect(failures).toHaveLength(3);
    expect(await mailer.send(plain)).toEqual({ ok: false, error: 'the mailer has been closed', attempts: 0 });
  });
});
