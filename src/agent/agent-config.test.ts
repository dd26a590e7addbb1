import { parseAgentConfigText } from './agent-config';

describe('agent config', () => {
  it('fills defaults for a PC with no config file', () => {
    const config = parseAgentConfigText(undefined, '/etc/portcullis/agent.json', {});
    expect(config).toEqual({
      ok: true,
      value: expect.objectContaining({ sysfsRoot: '/sys', mode: 'enforce', socket: '/run/portcullis/agent.sock', stateDir: '/var/lib/portcullis', socketGroup: 'users', trustKeys: [] }),
    });
  });

  it('lets flags override the file', () => {
    const config = parseAgentConfigText('{ "mode": "enforce", "rules": "/etc/portcullis/rules.conf" }', 'agent.json', { mode: 'audit', sysfsRoot: '/tmp/sys' });
    expect(config.ok && config.value).toMatchObject({ mode: 'audit', sysfsRoot: '/tmp/sys', rules: '/etc/portcullis/rules.conf' });
  });

  it('takes an idle policy for a standalone PC, and has none by default', () => {
    const config = parseAgentConfigText('{ "idle": { "lockAfter": "2m", "warnFor": "30s" } }', 'agent.json', {});
    expect(config.ok && config.value.idle).toMatchObject({ lockAfter: 120_000, warnFor: 30_000, logoffAfter: 1_800_000 });
    const none = parseAgentConfigText(undefined, 'agent.json', {});
    expect(none.ok && none.value.idle).toBeUndefined();
  });

  it('takes a console server and, with no policy file given, enforces the policy the link keeps, trusting the key from enrolment', () => {
    const config = parseAgentConfigText('{ "server": "https://portcullis.school.example", "trustKeys": ["/etc/portcullis/old.pub"] }', 'agent.json', { stateDir: '/var/lib/pc' });
    expect(config.ok && config.value).toMatchObject({
      server: 'https://portcullis.school.example',
      policy: '/var/lib/pc/server/policy.signed.json',
      trustKeys: ['/etc/portcullis/old.pub', '/var/lib/pc/server/server-policy.pub'],
    });
    const local = parseAgentConfigText('{ "server": "http://127.0.0.1:4100" }', 'agent.json', { policy: '/etc/portcullis/p.json', trustKeys: ['/k.pub'] });
    expect(local.ok && local.value).toMatchObject({ policy: '/etc/portcullis/p.json', trustKeys: ['/k.pub'] });
    const again = parseAgentConfigText(JSON.stringify(config.ok && config.value), 'last-good.json', {});
    expect(again.ok && again.value.trustKeys).toEqual(config.ok && config.value.trustKeys);
  });

  it.each([
    ['{ "server": "http://portcullis.school.example" }', /^agent\.json: server: http:\/\/portcullis\.school\.example: expected an https:\/\/ address \(plain http:\/\/ only to 127\.0\.0\.1 or localhost\)$/],
    ['{ "server": "https://portcullis.school.example/console" }', /^agent\.json: server: .*no path/],
    ['{ "server": "https://p.example", "rules": "/etc/portcullis/rules.conf" }', /^agent\.json: rules, server: a PC linked to a console server takes its policy from the server/],
  ])('refuses the server setting %s naming the file and field', (text, message) => {
    const config = parseAgentConfigText(text, 'agent.json', {});
    expect(!config.ok && config.error).toMatch(message);
  });

  it.each([
    ['{ "mode": "strict" }', /^agent\.json: mode: /],
    ['{ "pollIntervalMs": 5 }', /^agent\.json: pollIntervalMs: /],
    ['{ "polcy": "/x" }', /^agent\.json: unknown field "polcy"/],
    ['{ "idle": { "warnFor": "2m", "lockAfter": "1m" } }', /^agent\.json: idle\.warnFor: warnFor \(2m\) must be shorter than lockAfter \(1m\)$/],
    ['{ "rules": "/a", "policy": "/b", "trustKeys": ["/k"] }', /^agent\.json: rules, policy: give a rules file or a signed policy, not both/],
    ['{ "policy": "/b" }', /^agent\.json: trustKeys: a signed policy needs at least one trusted key/],
    ['[1]', /^agent\.json: expected a JSON object/],
    ['{ mode: audit }', /^agent\.json: not valid JSON/],
  ])('refuses %s naming the file and field', (text, message) => {
    const config = parseAgentConfigText(text, 'agent.json', {});
    expect(config.ok).toBe(false);
    expect(!config.ok && config.error).toMatch(message);
  });
});
