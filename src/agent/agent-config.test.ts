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

  it.each([
    ['{ "mode": "strict" }', /^agent\.json: mode: /],
    ['{ "pollIntervalMs": 5 }', /^agent\.json: pollIntervalMs: /],
    ['{ "polcy": "/x" }', /^agent\.json: unknown field "polcy"/],
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
