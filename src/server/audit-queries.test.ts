/** listDevices over both engines: a device the PCs recorded is "seen" only where it was recorded; one only asked for is seen nowhere, with the PCs and the latest request it was asked for in. */
import { approvalsServer, forwardedRequest, type ApprovalsServer, type LoopAgent } from '../../test/support/approvals-server';
import { forEachDatabase } from '../../test/support/databases';
import { sampleDevice } from '../../test/support/sample-device';
import { deviceIdentity } from '../audit/audit-event';
import { listDevices } from './audit-queries';

const SEEN = sampleDevice({ serial: 'SEEN-1', hash: 'seen-hash' });
const ASKED = sampleDevice({ serial: 'ASKED-1', hash: 'asked-hash' });

forEachDatabase((harness) => {
  let loop: ApprovalsServer;
  let library: LoopAgent;
  let lab: LoopAgent;

  beforeEach(async () => {
    loop = await approvalsServer(harness);
    library = await loop.enrol('LIBRARY-01');
    lab = await loop.enrol('SCI-LAB-02');
  });
  afterEach(() => loop.close());

  it('counts a device only where the PCs recorded it, and a device only asked for as seen nowhere', async () => {
    await loop.audit(library, [{ event: { type: 'device-decided', device: deviceIdentity(SEEN), target: 'block', implicit: true, reason: 'blocked: no rule allows it' }, user: 'jsmith', time: '2026-09-01T09:00:00.000Z' }]);
    await loop.forward(lab, [forwardedRequest('seen-elsewhere', { user: 'agreen' }, SEEN)]);
    await loop.forward(library, [forwardedRequest('asked-1', { user: 'jsmith', requestedAt: '2026-09-07T07:00:00.000Z' }, ASKED)]);
    loop.server.clock.advance(60_000);
    await loop.forward(lab, [forwardedRequest('asked-2', { user: 'agreen', requestedAt: '2026-09-07T08:00:00.000Z' }, ASKED)]);

    const devices = await listDevices(loop.db);
    const seen = devices.find((device) => device.hash === 'seen-hash');
    expect(seen).toMatchObject({ sightings: 1, machines: ['LIBRARY-01'], lastMachine: 'LIBRARY-01', lastUser: 'jsmith', lastDecision: 'block', requests: 1, pendingRequests: 1 });
    const asked = devices.find((device) => device.hash === 'asked-hash');
    expect(asked).toMatchObject({ sightings: 0, lastDecision: null, requests: 2, pendingRequests: 2 });
    expect([...(asked?.machines ?? [])].sort()).toEqual(['LIBRARY-01', 'SCI-LAB-02']);
    expect(asked).toMatchObject({ lastMachine: 'SCI-LAB-02', lastUser: 'agreen', lastSeenAt: new Date(loop.server.clock()).toISOString() });
  });
});
