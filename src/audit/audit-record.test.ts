import { createHash } from 'node:crypto';
import { SAMPLE_EVENTS } from '../../test/support/audit-fixtures';
import type { AuditEvent } from './audit-event';
import { checkRecordLine, describeLineProblem, GENESIS_PREV, sealRecord, type UnsealedRecord } from './audit-record';

const unsealed: UnsealedRecord = {
  seq: 1,
  time: '2026-11-28T10:02:11.000Z',
  machine: 'ICT-07',
  user: 'jsmith',
  event: SAMPLE_EVENTS[3] as AuditEvent,
  prev: GENESIS_PREV,
};

describe('sealRecord', () => {
  it('writes the documented line: the body JSON with "hash" (SHA-256 of the body) inserted before its closing brace', () => {
    const { record, line } = sealRecord(unsealed);
    const body = JSON.stringify(unsealed);
    expect(record.hash).toBe(createHash('sha256').update(body, 'utf8').digest('hex'));
    expect(line).toBe(`${body.slice(0, -1)},"hash":"${record.hash}"}`);
    expect(line).toMatch(/^\{"seq":1,"time":"2026-11-28T10:02:11.000Z","machine":"ICT-07","user":"jsmith","event":\{"type":"device-decided",/);
    expect(JSON.parse(line)).toEqual(record);
  });

  it('puts the fields in the documented order whatever order they were given in', () => {
    const { seq, time, machine, user, event, prev } = unsealed;
    expect(sealRecord({ prev, event, user, machine, time, seq }).line).toBe(sealRecord(unsealed).line);
  });

  it('leaves "user" out when no one was logged on', () => {
    const { line } = sealRecord({ ...unsealed, user: undefined });
    expect(line).not.toContain('"user"');
    expect(checkRecordLine(Buffer.from(line)).status).toBe('ok');
  });
});

describe('checkRecordLine', () => {
  const { line, record } = sealRecord(unsealed);

  it('accepts a line as written', () => {
    expect(checkRecordLine(Buffer.from(line))).toEqual({ status: 'ok', record });
  });

  it.each([
    ['a changed value', line.replace('ICT-07', 'ICT-08')],
    ['added white space', line.replace('"seq":1,', '"seq": 1,')],
    ['a different hash', line.replace(/"hash":"[0-9a-f]/, '"hash":"f')],
    ['fields reordered', line.replace('"machine":"ICT-07","user":"jsmith"', '"user":"jsmith","machine":"ICT-07"')],
  ])('reports %s as edited', (_what, edited) => {
    expect(checkRecordLine(Buffer.from(edited))).toMatchObject({ status: 'edited', record: { seq: 1 } });
  });

  it('checks the bytes as stored: a byte that is not UTF-8 is an edit even though JSON.parse accepts it', () => {
    const bytes = Buffer.from(line);
    bytes[bytes.indexOf('ICT-07')] = 0xff;
    expect(checkRecordLine(bytes).status).toBe('edited');
  });

  it('names lines that are not records', () => {
    expect(checkRecordLine(Buffer.alloc(0))).toEqual({ status: 'empty' });
    expect(checkRecordLine(Buffer.from(line.slice(0, 40)))).toEqual({ status: 'not-json' });
    expect(checkRecordLine(Buffer.from(JSON.stringify({ ...record, machine: '' })))).toEqual({ status: 'not-record', seq: 1, detail: 'machine: expected a non-empty string' });
    expect(checkRecordLine(Buffer.from('[1,2]'))).toMatchObject({ status: 'not-record', detail: 'expected an object, got an array' });
  });

  it('describes problems in plain words', () => {
    expect(describeLineProblem(17, { status: 'edited', record: { ...record, seq: 16 } })).toBe('line 17 (seq 16) was edited: its hash does not match its contents');
    expect(describeLineProblem(3, { status: 'not-json' })).toBe('line 3 is not valid JSON');
    expect(describeLineProblem(4, { status: 'empty' })).toBe('line 4 is empty');
    expect(describeLineProblem(5, { status: 'not-record', seq: 4, detail: 'event.type: unknown' })).toBe('line 5 (seq 4) is not an audit record: event.type: unknown');
  });
});
