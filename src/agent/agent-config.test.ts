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
