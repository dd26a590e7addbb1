import { changeGated } from './change-gate';

describe('changeGated', () => {
  it('looks up again only when the fingerprint changes, or every so often', async () => {
    let print = 'a';
    let lookUps = 0;
    const gated = changeGated(async () => (lookUps += 1), async () => print, 3);
    expect([await gated(), await gated(), await gated()]).toEqual([1, 1, 1]);
    print = 'b';
    expect(await gated()).toBe(2);
    expect([await gated(), await gated()]).toEqual([2, 2]);
    expect(await gated()).toBe(3);
  });

  it('remembers a failure like an answer, and tries again when the fingerprint changes', async () => {
    let print = 'no logind';
    let calls = 0;
    const gated = changeGated(
      async () => {
        calls += 1;
        if (print === 'no logind') throw new Error('loginctl: System has not been booted with systemd');
        return ['2'];
      },
      async () => print,
      10,
    );
    await expect(gated()).rejects.toThrow('not been booted');
    await expect(gated()).rejects.toThrow('not been booted');
    expect(calls).toBe(1);
    print = 'sessions: 2';
    await expect(gated()).resolves.toEqual(['2']);
    expect(calls).toBe(2);
  });
});
