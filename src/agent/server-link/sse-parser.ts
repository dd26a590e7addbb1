/** Server-sent events (the WHATWG event-stream format) parsed from text as it arrives in chunks of any size. */

export interface ServerSentEvent {
  /** `message` when the server named none. */
  event: string;
  data: string;
  /** The last event id seen, if the server sends ids. */
  id?: string;
}

/**
 * Feed it the decoded text in whatever pieces the network gives; it returns the events completed
 * by each piece. Lines end in LF, CRLF or CR (a CRLF split across two pieces counts once);
 * comments (`:keep-alive`) are skipped; `data` lines join with newlines; an event with no data
 * is not dispatched, as in browsers. `retry` values are kept in `retryMs`.
 */
export class SseParser {
  private buffer = '';
  /** The previous piece ended in CR: an LF starting this one belongs to that line end. */
  private skipLeadingLf = false;
  private eventType = '';
  private data: string[] = [];
  private lastId: string | undefined;
  retryMs: number | undefined;

  push(text: string): ServerSentEvent[] {
    if (this.skipLeadingLf && text.startsWith('\n')) text = text.slice(1);
    this.skipLeadingLf = false;
    this.buffer += text;
    const events: ServerSentEvent[] = [];
    for (;;) {
      const end = this.buffer.search(/[\r\n]/);
      if (end < 0) break;
      const line = this.buffer.slice(0, end);
      let next = end + 1;
      if (this.buffer[end] === '\r') {
        if (next === this.buffer.length) this.skipLeadingLf = true;
        else if (this.buffer[next] === '\n') next += 1;
      }
      this.buffer = this.buffer.slice(next);
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  private line(line: string): ServerSentEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break;
    }
    return undefined;
  }

  private dispatch(): ServerSentEvent | undefined {
    const data = this.data;
    const event = this.eventType || 'message';
    this.data = [];
    this.eventType = '';
    if (data.length === 0) return undefined;
    return { event, data: data.join('\n'), ...(this.lastId === undefined ? {} : { id: this.lastId }) };
  }
}
