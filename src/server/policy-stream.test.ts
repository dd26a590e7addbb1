import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { FakeScheduler } from '../../test/support/fake-scheduler';
import { silentLogger } from '../../test/support/databases';
import { policyEvent, PolicyStream } from './policy-stream';
import type { PolicyListener } from './policy-publisher';

/** What the stream uses of a ServerResponse. */
class FakeResponse extends EventEmitter {
  written = '';
  status = 0;
  ended = false;
  destroyed = false;
  writableLength = 0;
  writeHead(status: number): this {
    this.status = status;
    return this;
  }
  write(text: string): boolean {
    this.written += text;
    return true;
  }
  end(): this {
    this.ended = true;
    this.emit('close');
    return this;
  }
  destroy(): this {
    this.destroyed = true;
    this.emit('close');
    return this;
  }
}

function setUp(maxConnections = 10, revoked: string[] = []) {
  const scheduler = new FakeScheduler();
  const listeners = new Set<PolicyListener>();
  let stored: number | undefined;
  const publisher = {
    onPublished: (listener: PolicyListener) => (listeners.add(listener), () => void listeners.delete(listener)),
    latestVersion: async () => stored,
  };
  const asked: string[] = [];
  const revokedSince = async (since: string) => (asked.push(since), revoked.splice(0));
  const stream = new PolicyStream({ publisher, scheduler, heartbeatMs: 15_000, maxConnections, revokedSince, logger: silentLogger });
  const publish = (version: number) => {
    stored = version;
    listeners.forEach((listener) => listener(version));
  };
  const connect = (agentId: string, newest?: number) => {
    const response = new FakeResponse();
    stream.add(agentId, response as unknown as ServerResponse, newest);
    return response;
  };
  return { scheduler, stream, publish, connect, listeners, asked, store: (version: number) => void (stored = version) };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('PolicyStream', () => {
  it('sends each published version once to every connection', () => {
    const { stream, publish, connect } = setUp();
    const a = connect('a');
    const b = connect('b', 2);
    expect(a.written).toBe(': connected\n\n');
    expect(b.written).toBe(policyEvent(2));
    publish(3);
    publish(3);
    expect(a.written).toBe(`: connected\n\n${policyEvent(3)}`);
    expect(b.written).toBe(`${policyEvent(2)}${policyEvent(3)}`);
    expect(stream.size()).toBe(2);
  });

  it('runs one heartbeat timer for all connections, only while any is open', async () => {
    const { scheduler, stream, connect } = setUp();
    const responses = Array.from({ length: 100 }, (_, i) => connect(`agent-${i}`));
    expect(scheduler.pending()).toEqual([15_000]);
    scheduler.advance(15_000);
    await flush();
    expect(responses.every((response) => response.written.endsWith(': heartbeat\n\n'))).toBe(true);
    responses.forEach((response) => response.emit('close'));
    expect(stream.size()).toBe(0);
    expect(scheduler.pending()).toEqual([]);
  });

  it('announces on a heartbeat a version stored by another process', async () => {
    const { scheduler, connect, store } = setUp();
    const a = connect('a', 3);
    store(4);
    scheduler.advance(15_000);
    await flush();
    expect(a.written).toBe(`${policyEvent(3)}: heartbeat\n\n${policyEvent(4)}`);
  });

  it('ends the streams of agents revoked since the last heartbeat', async () => {
    const revoked: string[] = [];
    const { scheduler, stream, connect, asked } = setUp(10, revoked);
    const [a, b] = [connect('a'), connect('b')];
    revoked.push('b', 'gone');
    scheduler.advance(15_000);
    await flush();
    expect([a.ended, b.ended, stream.size()]).toEqual([false, true, 1]);
    scheduler.advance(15_000);
    await flush();
    expect(asked).toHaveLength(2);
    expect(asked[1]! >= asked[0]!).toBe(true);
  });

  it('keeps one connection per agent, ending the older', () => {
    const { stream, connect, publish } = setUp();
    const first = connect('a');
    const second = connect('a');
    expect(first.ended).toBe(true);
    expect(stream.size()).toBe(1);
    publish(1);
    expect(first.written).not.toContain('event: policy');
    expect(second.written).toContain(policyEvent(1));
  });

  it('drops a connection that stopped reading', () => {
    const { stream, connect, publish } = setUp();
    const stalled = connect('a');
    stalled.writableLength = 1024 * 1024;
    publish(1);
    expect(stalled.destroyed).toBe(true);
    expect(stream.size()).toBe(0);
  });

  it('has room for at most maxConnections agents, and none once closed', () => {
    const { stream, connect, scheduler, listeners } = setUp(2);
    const [a, b] = [connect('a'), connect('b')];
    expect([stream.hasRoom('a'), stream.hasRoom('c')]).toEqual([true, false]);
    stream.close();
    expect([a.ended, b.ended, stream.size(), stream.hasRoom('a')]).toEqual([true, true, 0, false]);
    expect(scheduler.pending()).toEqual([]);
    expect(listeners.size).toBe(0);
  });
});
