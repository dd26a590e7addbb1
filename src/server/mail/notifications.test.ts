import { approvalNeededMessage, deviceLabel, policyViolationMessage, requestDecidedMessage, type NotifiedDevice, type RequestFacts } from './notifications';

const context = { consoleUrl: 'https://portcullis.school.sch.uk' };

const stick: NotifiedDevice = {
  kind: 'storage',
  name: 'Cruzer Blade',
  manufacturer: 'SanDisk',
  id: { vendor: '0781', product: '5567' },
  warnings: ['this USB storage device also presents itself as a keyboard'],
};

const request: RequestFacts = {
  id: 'req 1/2',
  device: stick,
  requester: 'kteacher',
  machine: 'ICT-07',
  justification: 'Year 10 coursework photos\nfrom the trip.',
  durationDays: 30,
  requestedAt: '2026-04-20T09:00:00Z',
};

const hostile: NotifiedDevice = { ...stick, name: '<script>alert(1)</script>\r\nBcc: victim@evil.example', manufacturer: '<b>Evil</b> & Co' };

describe('approvalNeededMessage', () => {
  const message = approvalNeededMessage(request, ['slt1@school.sch.uk', 'slt2@school.sch.uk'], context);

  it('goes to every approver with the device, machine and requester in the subject', () => {
    expect(message.to).toEqual(['slt1@school.sch.uk', 'slt2@school.sch.uk']);
    expect(message.subject).toBe("Approval needed: USB storage device 'Cruzer Blade' on ICT-07 for kteacher");
  });

  it('explains the device in plain words, with its warnings, the reason, the duration and a link', () => {
    expect(message.text).toContain('What it is:   a USB storage device from SanDisk');
    expect(message.text).toContain('  - This USB storage device also presents itself as a keyboard.');
    expect(message.text).toContain('Their reason:\n  Year 10 coursework photos\n  from the trip.');
    expect(message.text).toContain('For how long: 30 days');
    expect(message.text).toContain('Asked on:     Monday 20 April 2026 at 10:00');
    expect(message.text).toContain('https://portcullis.school.sch.uk/requests');
    expect(message.html).toContain('<a href="https://portcullis.school.sch.uk/requests">Review the request</a>');
  });

  it('says when no duration was asked for', () => {
    expect(approvalNeededMessage({ ...request, durationDays: undefined }, [], context).text).toContain('For how long: not stated');
  });

  it('escapes a hostile device name in the HTML and keeps it off a second header line', () => {
    const evil = approvalNeededMessage({ ...request, device: hostile, requester: 'k\nteacher' }, ['slt@school.sch.uk'], context);
    expect(evil.subject).not.toMatch(/[\r\n]/);
    expect(evil.subject).toBe("Approval needed: USB storage device '<script>alert(1)</script> Bcc: victim@evil.example' on ICT-07 for k teacher");
    expect(evil.html).not.toContain('<script>');
    expect(evil.html).not.toContain('<b>');
    expect(evil.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Bcc: victim@evil.example');
    expect(evil.html).toContain('a USB storage device from &lt;b&gt;Evil&lt;/b&gt; &amp; Co');
    expect(evil.text).not.toMatch(/^Bcc:/m);
  });
});

describe('requestDecidedMessage', () => {
  it('tells the requester of an approval, with its scope and expiry', () => {
    const decision = { outcome: 'approved' as const, scope: { machines: ['ICT-07'], users: ['kteacher'] }, expires: '2026-07-22' };
    const message = requestDecidedMessage(request, 'kteacher@school.sch.uk', decision, context);
    expect(message.to).toEqual(['kteacher@school.sch.uk']);
    expect(message.subject).toBe("Approved: USB storage device 'Cruzer Blade' on ICT-07");
    expect(message.text).toContain('has been approved');
    expect(message.text).toContain('Computers: ICT-07\nPeople:    kteacher\nUntil:     Wednesday 22 July 2026');
  });

  it('words an open scope and no expiry plainly', () => {
    const message = requestDecidedMessage(request, 'k@school.sch.uk', { outcome: 'approved', scope: { groups: ['ICT-SUITE'] } }, context);
    expect(message.text).toContain('Computers:       any school computer\nComputer groups: ICT-SUITE\nPeople:          anyone\nUntil:           no end date');
  });

  it('tells the requester of a refusal, with the reason', () => {
    const message = requestDecidedMessage(request, 'k@school.sch.uk', { outcome: 'refused', reason: 'Please use <OneDrive> instead.' }, context);
    expect(message.subject).toBe("Not approved: USB storage device 'Cruzer Blade' on ICT-07");
    expect(message.text).toContain('The reason given:\n  Please use <OneDrive> instead.');
    expect(message.html).toContain('Please use &lt;OneDrive&gt; instead.');
  });
});

describe('policyViolationMessage', () => {
  it('says what, where and when for a dangerous device that was blocked', () => {
    const message = policyViolationMessage(
      { kind: 'dangerous-device-blocked', machine: 'ICT-07', time: '2026-04-20T13:05:00Z', user: 'pupil42', device: stick, reason: 'storage that also types' },
      ['head@school.sch.uk'],
      context,
    );
    expect(message.to).toEqual(['head@school.sch.uk']);
    expect(message.subject).toBe("Policy alert: USB storage device 'Cruzer Blade' blocked on ICT-07");
    expect(message.text).toContain('Where:              ICT-07\nWhen:               Monday 20 April 2026 at 14:05\nLogged on:          pupil42');
    expect(message.text).toContain('https://portcullis.school.sch.uk/audit?machine=ICT-07');
  });

  it('explains an audit chain break and a tampered agent calmly', () => {
    const chain = policyViolationMessage({ kind: 'audit-chain-broken', machine: 'ICT 07&x', time: '2026-04-20T13:05:00Z', detail: 'record 12 does not follow record 11' }, ['h@s.uk'], context);
    expect(chain.subject).toBe('Policy alert: the audit log of ICT 07&x does not join up');
    expect(chain.text).toContain('What was found: record 12 does not follow record 11');
    expect(chain.text).toContain('https://portcullis.school.sch.uk/audit?machine=ICT%2007%26x');
    const tampered = policyViolationMessage({ kind: 'agent-tampered', machine: 'ICT-07', time: '2026-04-20T13:05:00Z', detail: 'service stopped by hand' }, ['h@s.uk'], context);
    expect(tampered.subject).toBe('Policy alert: Portcullis on ICT-07 may have been tampered with');
    expect(tampered.text).toContain('What was found: service stopped by hand');
    expect(chain.html).toContain('The audit log of ICT 07&amp;x');
  });
});

describe('deviceLabel', () => {
  it('falls back to the kind for a device with no name, and clips a long name', () => {
    expect(deviceLabel({ ...stick, kind: 'keyboard', name: '  ' })).toBe('keyboard');
    expect(deviceLabel({ ...stick, name: 'A'.repeat(100) })).toBe(`USB storage device '${'A'.repeat(59)}…'`);
  });
});
