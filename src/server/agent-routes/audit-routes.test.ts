import { forEachDatabase } from '../../../test/support/databases';
import { agentTestServer, enrolAgent, json, signed, type AgentTestServer, type TestAgent } from '../../../test/support/agent-server';
import { AGENT_PATHS, auditAnswer } from '../agent-protocol';
import { AuditStore } from '../audit-store';
import type { AuditEvent } from '../../audit/audit-event';
import { GENESIS_PREV, sealRecord } from '../../audit/audit-record';

/** `count` sealed lines, chained from seq `from` (after `prev`). */
function chain(count: number, from = 1, prev = GENESIS_PREV, reason = 'test'): string[] {
  const lines: string[] = [];
  for (let seq = from; seq < from + count; seq++) {
    const event: AuditEvent = { type: 'service-stopped', reason: `${reason} ${seq}` };
    const sealed = sealRecord({ seq, time: new Date(Date.UTC(2026, 10, 28, 10, seq)).toISOString(), machine: 'ICT-SUITE-07', user: 'jsmith', event, prev });
    lines.push(sealed.line);
    prev = sealed.record.hash;
  }
  return lines;
}

function at(lines: readonly string[], index: number): string {
  const line = lines[index];
  if (line === undefined) throw new Error(`no line ${index}`);
  return line;
}

forEachDatabase((harness) => {
  let server: AgentTestServer;
  let agent: TestAgent;

  beforeEach(async () => {
    server = await agentTestServer(harness);
    agent = await enrolAgent(server);
  });
  afterEach(() => server.app.close());

  async function send(lines: string[], who = agent) {
    const response = await server.request(signed(server, who, 'POST', AGENT_PATHS.audit, { lines }));
    if (response.statusCode !== 200) throw new Error(`${response.statusCode} ${response.body}`);
    return auditAnswer.parse(json(response));
  }

  const held = () => server.db.all<{ seq: number; chain_ok: number }>('SELECT seq, chain_ok FROM audit_records WHERE agent_id = ? ORDER BY seq', [agent.agentId]);
  const chainState = () => new AuditStore({ db: server.db }).state(agent.agentId);

  it('accepts a whole chain in batches, storing every record as sent', async () => {
    const lines = chain(8);
    expect(await send(lines.slice(0, 5))).toEqual({ accepted: 5, lastSeq: 5, chainOk: true });
    expect(await send(lines.slice(5))).toEqual({ accepted: 3, lastSeq: 8, chainOk: true });
    expect((await held()).map((row) => [row.seq, row.chain_ok])).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((seq) => [seq, 1]));
    expect(await server.db.get('SELECT machine, user_name, event_json, time FROM audit_records WHERE seq = 2')).toEqual({
      machine: 'ICT-SUITE-07',
      user_name: 'jsmith',
      event_json: '{"type":"service-stopped","reason":"test 2"}',
      time: '2026-11-28T10:02:00.000Z',
    });
  });

  it('takes records sent again idempotently: accepted, not stored twice, the chain still whole', async () => {
    const lines = chain(5);
    await send(lines.slice(0, 3));
    expect(await send(lines)).toEqual({ accepted: 5, lastSeq: 5, chainOk: true });
    expect(await send(lines.slice(1, 2))).toEqual({ accepted: 1, lastSeq: 5, chainOk: true });
    expect(await held()).toHaveLength(5);
  });

  it('flags a record edited after sealing, storing it and the rest, and says where', async () => {
    const lines = chain(5);
    const tampered = [...lines];
    tampered[2] = at(lines, 2).replace('"reason":"test 3"', '"reason":"nothing happened"');
    expect(await send(tampered)).toEqual({ accepted: 5, lastSeq: 5, chainOk: false });
    expect((await held()).map((row) => row.chain_ok)).toEqual([1, 1, 0, 1, 1]);
    expect(await chainState()).toEqual({ lastSeq: 5, chainOk: false, firstBreak: 'seq 3 was edited: its hash does not match its contents', brokenAt: expect.any(String) });
    const [listed] = await server.agents.list();
    expect(listed).toMatchObject({ auditChainOk: false, auditChainBreak: 'seq 3 was edited: its hash does not match its contents' });
  });

  it('flags missing records, and keeps the first break when more follow', async () => {
    const lines = chain(6);
    expect(await send([at(lines, 0), at(lines, 1), at(lines, 4)])).toEqual({ accepted: 3, lastSeq: 5, chainOk: false });
    expect((await chainState())?.firstBreak).toBe('seq 3 to 4 missing: seq 5 came after seq 2');
    expect(await send([at(lines, 5)])).toEqual({ accepted: 1, lastSeq: 6, chainOk: false });
    expect((await held()).map((row) => [row.seq, row.chain_ok])).toEqual([
      [1, 1],
      [2, 1],
      [5, 0],
      [6, 1],
    ]);
  });

  it('flags records out of order, still storing them', async () => {
    const lines = chain(4);
    expect(await send([at(lines, 0), at(lines, 1), at(lines, 3), at(lines, 2)])).toEqual({ accepted: 4, lastSeq: 4, chainOk: false });
    expect((await chainState())?.firstBreak).toBe('seq 3 missing: seq 4 came after seq 2');
    expect((await held()).map((row) => [row.seq, row.chain_ok])).toEqual([
      [1, 1],
      [2, 1],
      [3, 0],
      [4, 0],
    ]);
  });

  it('flags a held seq sent again with another hash, keeping the record first received', async () => {
    const lines = chain(3);
    await send(lines);
    const rewritten = chain(3, 1, GENESIS_PREV, 'rewritten');
    expect(await send([at(rewritten, 2)])).toEqual({ accepted: 0, lastSeq: 3, chainOk: false });
    expect((await chainState())?.firstBreak).toMatch(/^seq 3 was sent again with a different hash/);
    expect(await server.db.get('SELECT event_json FROM audit_records WHERE seq = 3')).toEqual({ event_json: '{"type":"service-stopped","reason":"test 3"}' });
  });

  it('flags a record that does not follow the one before, and a line that is not a record', async () => {
    const lines = chain(2);
    const stranger = chain(1, 3, 'f'.repeat(64));
    expect(await send([...lines, ...stranger])).toEqual({ accepted: 3, lastSeq: 3, chainOk: false });
    expect((await chainState())?.firstBreak).toBe("seq 3 does not follow seq 2: its prev is not that record's hash");
    const other = await enrolAgent(server, 'ICT-SUITE-08');
    expect(await send(['{"seq": 1}', ...chain(1)], other)).toEqual({ accepted: 1, lastSeq: 1, chainOk: false });
    expect((await new AuditStore({ db: server.db }).state(other.agentId))?.firstBreak).toMatch(/^line 1 of a batch received at .* is not an audit record: /);
  });

  it("starts the server's copy where the agent's log starts (records pruned before enrolment), then demands a whole chain", async () => {
    const lines = chain(5, 40, 'a'.repeat(64));
    expect(await send(lines)).toEqual({ accepted: 5, lastSeq: 44, chainOk: true });
    const badStart = await enrolAgent(server, 'ICT-SUITE-08');
    expect(await send(chain(1, 1, 'b'.repeat(64)), badStart)).toEqual({ accepted: 1, lastSeq: 1, chainOk: false });
  });

  it("keeps each agent's chain apart", async () => {
    const other = await enrolAgent(server, 'ICT-SUITE-08');
    await send(chain(3));
    expect(await send(chain(2), other)).toEqual({ accepted: 2, lastSeq: 2, chainOk: true });
    expect(await held()).toHaveLength(3);
  });

  it('refuses a malformed body with 400 naming the field, and an oversized one with 413', async () => {
    const empty = await server.request(signed(server, agent, 'POST', AGENT_PATHS.audit, { lines: [] }));
    expect([empty.statusCode, (json(empty) as { message: string }).message]).toEqual([400, expect.stringMatching(/^body: lines: /)]);
    const wrong = await server.request(signed(server, agent, 'POST', AGENT_PATHS.audit, { lines: [1] }));
    expect((json(wrong) as { message: string }).message).toBe('body: lines[0]: expected a string, got a number');
    const tooLong = await server.request(signed(server, agent, 'POST', AGENT_PATHS.audit, { lines: ['x'.repeat(64 * 1024 + 1)] }));
    expect([tooLong.statusCode, (json(tooLong) as { message: string }).message]).toEqual([400, expect.stringMatching(/^body: lines\[0\]: /)]);
    const huge = await server.request(signed(server, agent, 'POST', AGENT_PATHS.audit, { lines: Array(200).fill('y'.repeat(60_000)) }));
    expect([huge.statusCode, (json(huge) as { error: string }).error]).toEqual([413, 'body-too-large']);
    expect(await held()).toEqual([]);
  });
});
