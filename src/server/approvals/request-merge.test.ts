import { addRequest, findMergeTarget, mergeInto, mergeKey, toConsoleRequest, type ConsoleRequest } from './request-merge';
import { badUsbClone, cruzerBlade, otherCruzerBlade, sampleRequest, yubiKey } from '../../../test/fixtures/approvals/sample-requests';
import { sampleDevice } from '../../../test/support/sample-device';

const first = sampleRequest(cruzerBlade, { id: 'REQ-1', durationDays: 30, requestedAt: '2026-11-02T09:00:00Z' });
const again = sampleRequest(cruzerBlade, { id: 'REQ-2', durationDays: 90, justification: 'Also for the exam board', requestedAt: '2026-11-02T11:00:00Z', viaPort: '1-4' });

describe('mergeKey', () => {
  it('is the same for the same device from the same machine, whatever the case of the machine name', () => {
    expect(mergeKey(again)).toBe(mergeKey(first));
    expect(mergeKey({ ...again, machine: 'ict-suite-07' })).toBe(mergeKey(first));
  });

  it('knows a device with a serial by vendor:product and serial, even if its hash changed', () => {
    expect(mergeKey(sampleRequest(sampleDevice({ hash: 'another-hash' })))).toBe(mergeKey(first));
    expect(mergeKey(sampleRequest(otherCruzerBlade))).not.toBe(mergeKey(first));
  });

  it('does not hide a clone that copies the id and serial but adds a keyboard in the original request', () => {
    expect(mergeKey(sampleRequest(badUsbClone))).not.toBe(mergeKey(first));
    expect(mergeKey(sampleRequest({ ...cruzerBlade, interfaces: [...cruzerBlade.interfaces, ...cruzerBlade.interfaces] }))).toBe(mergeKey(first));
  });

  it('knows a device without a serial by its hash', () => {
    const key = mergeKey(sampleRequest(yubiKey, { id: 'A' }));
    expect(mergeKey(sampleRequest(yubiKey, { id: 'B' }))).toBe(key);
    expect(mergeKey(sampleRequest({ ...yubiKey, hash: 'other' }, { id: 'B' }))).not.toBe(key);
  });

  it('never merges a device with neither serial nor hash, nor requests from different machines', () => {
    const bare = { ...yubiKey, hash: '' };
    expect(mergeKey(sampleRequest(bare, { id: 'A' }))).not.toBe(mergeKey(sampleRequest(bare, { id: 'B' })));
    expect(mergeKey({ ...again, machine: 'ICT-SUITE-08' })).not.toBe(mergeKey(first));
  });
});

describe('mergeInto', () => {
  it('counts the duplicate, keeps both justifications and the longer duration, and notes the latest port and time', () => {
    const merged = mergeInto(toConsoleRequest(first), again);
    expect(merged).toEqual({
      ...first,
      status: 'pending',
      mergedCount: 1,
      durationDays: 90,
      viaPort: '1-4',
      lastRequestedAt: '2026-11-02T11:00:00Z',
      justifications: [
        { user: 'jsmith', text: 'Year 11 coursework for moderation', at: '2026-11-02T09:00:00Z' },
        { user: 'jsmith', text: 'Also for the exam board', at: '2026-11-02T11:00:00Z' },
      ],
    });
  });

  it('keeps the longer duration already asked for, and the same words from the same person once', () => {
    const merged = mergeInto(toConsoleRequest({ ...first, durationDays: 120 }), { ...again, justification: first.justification });
    expect(merged).toMatchObject({ mergedCount: 1, durationDays: 120 });
    expect(merged.justifications).toHaveLength(1);
    expect(mergeInto(merged, { ...again, user: 'akhan', justification: first.justification }).justifications).toHaveLength(2);
  });

  it('refuses a request for another device, or a request that is no longer pending', () => {
    expect(() => mergeInto(toConsoleRequest(first), sampleRequest(otherCruzerBlade, { id: 'REQ-3' }))).toThrow('request REQ-3 is not for the same device and machine as request REQ-1');
    expect(() => mergeInto({ ...toConsoleRequest(first), status: 'approved' }, again)).toThrow('request REQ-1 is approved, not pending: nothing can be merged into it');
  });
});

describe('addRequest', () => {
  it('merges into the pending request and appends anything else', () => {
    let requests: ConsoleRequest[] = [];
    ({ requests } = addRequest(requests, first));
    const second = addRequest(requests, again);
    expect(second.outcome).toMatchObject({ merged: true, duplicateId: 'REQ-2', request: { id: 'REQ-1', mergedCount: 1 } });
    expect(second.requests).toHaveLength(1);
    const third = addRequest(second.requests, sampleRequest(otherCruzerBlade, { id: 'REQ-3' }));
    expect(third.outcome.merged).toBe(false);
    expect(third.requests.map((r) => r.id)).toEqual(['REQ-1', 'REQ-3']);
  });

  it('starts a new request once the earlier one was decided', () => {
    const decided: ConsoleRequest[] = [{ ...toConsoleRequest(first), status: 'refused' }];
    expect(findMergeTarget(decided, again)).toBeUndefined();
    expect(addRequest(decided, again).requests.map((r) => [r.id, r.status])).toEqual([
      ['REQ-1', 'refused'],
      ['REQ-2', 'pending'],
    ]);
  });

  it('merges into the oldest of several pending duplicates and leaves the list it was given alone', () => {
    const older = toConsoleRequest({ ...first, id: 'REQ-0', requestedAt: '2026-11-01T09:00:00Z' });
    const list = [toConsoleRequest(first), older];
    const added = addRequest(list, again);
    expect(added.outcome.request.id).toBe('REQ-0');
    expect(list[1]).toBe(older);
    expect(list[1]?.mergedCount).toBe(0);
  });
});
