import { generateKeyPairSync } from 'node:crypto';
import { captureLogger } from '../../../test/support/capture-logger';
import { FakeScheduler } from '../../../test/support/fake-scheduler';
import { Backoff } from './backoff';
import { PolicyStream } from './policy-stream';
import { Reachability } from './reachability';
import { ServerClient, type Fetch } from './server-client';

/** Lets pending promise callbacks (fetch, stream reads) run. */
const settle = async () => {
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

/** A response whose event-stream body the test writes to and closes. */
function eventStream(): { response: Response; send(text: string): void; close(): void } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return {
    response: new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    send: (text) => controller.enqueue(new TextEncoder().encode(text)),
    close: () => controller.close(),
  };
}

function harness(answers: Array<() => Response | Promise<Response>>) {
  const scheduler = new FakeScheduler();
  const { logger, lines } = captureLogger();
  const calls: Array<{ url: string; signal: AbortSignal | undefined }> = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, signal: init.signal ?? undefined });
    const next = answers.shift();
    if (!next) throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    return next();
  }) as Fetch;
  const reachability = new Reachability('http://127.0.0.1:1', logger);
  const client = new ServerClient({ server: new URL('http://127.0.0.1:1'), agentId: 'agt_t', privateKey: generateKeyPairSync('ed25519').privateKey, fetch, now: () => 0, reachability });
  const versions: number[] = [];
  let opened = 0;
  const stream = new PolicyStream({
    client,
    scheduler,
    backoff: new Backoff({ random: () => 0 }),
    logger,
    onOpen: () => void (opened += 1),
    onVersion: (v) => void versions.push(v),
    silenceMs: 90_000,
  });
  return { scheduler, lines, calls, stream, versions, opened: () => opened };
}

describe('PolicyStream', () => {
  it('reports each policy event, and checks at once when it opens', async () => {
    const open = eventStream();
    const h = harness([() => open.response]);
    h.stream.start();
    await settle();
    expect(h.calls[0]?.url).toBe('http://127.0.0.1:1/api/agent/policy/stream');
    expect(h.opened()).toBe(1);
    open.send('event: policy\ndata: {"version":7}\n\n: heartbeat\n\nevent: pol');
    open.send('icy\ndata: {"version":8}\n\n');
    await settle();
    expect(h.versions).toEqual([7, 8]);
    await h.stream.stop();
  });

  it('reopens a closed stream after a backoff that doubles up to 60 s while the server is away', async () => {
    const first = eventStream();
    const h = harness([() => first.response]);
    h.stream.start();
    await settle();
    first.close();
    await settle();
    const expectNextAttemptAfter = async (ms: number) => {
      const before = h.calls.length;
      h.scheduler.advance(ms - 1);
      await settle();
      expect(h.calls.length).toBe(before);
      h.scheduler.advance(1);
      await settle();
      expect(h.calls.length).toBe(before + 1);
    };
    for (const delay of [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]) await expectNextAttemptAfter(delay);
    expect(h.lines.filter((l) => l.message.startsWith('console server unreachable'))).toHaveLength(1);
    await h.stream.stop();
  });

  it('starts the backoff again after a connection that stayed open', async () => {
    const streams = [eventStream(), eventStream(), eventStream()];
    const h = harness(streams.map((s) => () => s.response));
    h.stream.start();
    await settle();
    streams[0]?.close();
    await settle();
    h.scheduler.advance(1_000);
    await settle();
    expect(h.calls).toHaveLength(2);
    h.scheduler.advance(30_000);
    streams[1]?.close();
    await settle();
    h.scheduler.advance(1_000);
    await settle();
    expect(h.calls).toHaveLength(3);
    await h.stream.stop();
  });

  it("waits the server's Retry-After when it has no room, logging the refusal once", async () => {
    const busy = () => new Response(JSON.stringify({ error: 'too-many-streams', message: 'the server holds as many policy streams as it can' }), { status: 503, headers: { 'retry-after': '60' } });
    const h = harness([busy, busy]);
    h.stream.start();
    await settle();
    h.scheduler.advance(59_999);
    await settle();
    expect(h.calls).toHaveLength(1);
    h.scheduler.advance(1);
    await settle();
    expect(h.calls).toHaveLength(2);
    expect(h.lines.filter((l) => l.level === 'error')).toEqual([expect.objectContaining({ message: 'the console server refused the policy stream', error: expect.stringMatching(/refused \(503\): the server holds as many/) })]);
    expect(h.lines.some((l) => l.message.startsWith('console server unreachable'))).toBe(false);
    await h.stream.stop();
  });

  it('gives up on a connection that went silent, and reconnects', async () => {
    const quiet = eventStream();
    const h = harness([() => quiet.response, () => eventStream().response]);
    h.stream.start();
    await settle();
    h.scheduler.advance(89_000);
    quiet.send(': heartbeat\n\n');
    await settle();
    h.scheduler.advance(89_000);
    await settle();
    expect(h.calls[0]?.signal?.aborted).toBe(false);
    h.scheduler.advance(1_000);
    await settle();
    expect(h.calls[0]?.signal?.aborted).toBe(true);
    h.scheduler.advance(1_000);
    await settle();
    expect(h.calls).toHaveLength(2);
    await h.stream.stop();
  });

  it('stops for good: the connection is closed and nothing reconnects', async () => {
    const open = eventStream();
    const h = harness([() => open.response]);
    h.stream.start();
    await settle();
    await h.stream.stop();
    expect(h.calls[0]?.signal?.aborted).toBe(true);
    h.scheduler.advance(3_600_000);
    await settle();
    expect(h.calls).toHaveLength(1);
  });
});
