import { SseParser } from './sse-parser';

describe('SseParser', () => {
  it('reads named events with JSON data, skipping comments such as heartbeats', () => {
    const parser = new SseParser();
    expect(parser.push(': connected\n\nevent: policy\ndata: {"version":3}\n\n: heartbeat\n\n')).toEqual([{ event: 'policy', data: '{"version":3}' }]);
  });

  it('joins data lines with newlines, calls an unnamed event "message", and keeps the last id', () => {
    const parser = new SseParser();
    expect(parser.push('id: 7\ndata: one\ndata:two\n\ndata\n\n')).toEqual([
      { event: 'message', data: 'one\ntwo', id: '7' },
      { event: 'message', data: '', id: '7' },
    ]);
  });

  it('gives the same events however the text is cut, byte by byte included', () => {
    const text = 'event: policy\r\ndata: {"version":4}\r\n\r\nevent: policy\rdata: {"version":5}\r\r: beat\n\nevent: policy\ndata: {"version":6}\n\n';
    const whole = new SseParser().push(text);
    expect(whole.map((e) => e.data)).toEqual(['{"version":4}', '{"version":5}', '{"version":6}']);
    const parser = new SseParser();
    const pieces = [...text].flatMap((char) => parser.push(char));
    expect(pieces).toEqual(whole);
  });

  it('holds an event back until its blank line arrives, and drops one with no data', () => {
    const parser = new SseParser();
    expect(parser.push('event: policy\ndata: {"version":8}\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'policy', data: '{"version":8}' }]);
    expect(parser.push('event: policy\n\n')).toEqual([]);
    expect(parser.push('data: x\n\n')).toEqual([{ event: 'message', data: 'x' }]);
  });

  it('keeps a valid retry, ignores unknown fields and a bad retry', () => {
    const parser = new SseParser();
    expect(parser.push('retry: 5000\nfoo: bar\nretry: soon\ndata: y\n\n')).toEqual([{ event: 'message', data: 'y' }]);
    expect(parser.retryMs).toBe(5000);
  });
});
