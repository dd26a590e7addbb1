/** One audit record as one line of JSON: the envelope, how its hash is made, and the check of a line read back. */

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { fieldPath, plainIssueMessages } from '../policy/zod-issues';
import { assertNever } from '../util/assert-never';
import { auditEventSchema, nonEmptyTextSchema, seqSchema, sha256HexSchema } from './audit-event';

/** The `prev` of the first record of a chain (seq 1): 64 zeros, as no record comes before it. */
export const GENESIS_PREV = '0'.repeat(64);

export const auditRecordSchema = z.strictObject({
  seq: seqSchema,
  time: z.iso.datetime({ error: 'expected an ISO 8601 UTC date-time (2026-11-28T10:02:11.000Z)' }),
  machine: nonEmptyTextSchema,
  user: nonEmptyTextSchema.optional(),
  event: auditEventSchema,
  prev: sha256HexSchema,
  hash: sha256HexSchema,
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;
export type UnsealedRecord = Omit<AuditRecord, 'hash'>;

/** Validates a record before it is sealed: only what the schema allows reaches the file. */
export const unsealedRecordSchema = auditRecordSchema.omit({ hash: true });

function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The record's line, without its newline. The body is the JSON of the record without `hash`
 * (fields in the order seq, time, machine, user, event, prev); `hash` is the SHA-256 of the
 * body's UTF-8 bytes, and the line is the body with `,"hash":"<hex>"` inserted before its final `}`.
 */
export function sealRecord(record: UnsealedRecord): { record: AuditRecord; line: string } {
  const { seq, time, machine, user, event, prev } = record;
  const body = JSON.stringify({ seq, time, machine, ...(user === undefined ? {} : { user }), event, prev });
  const hash = sha256Hex(body);
  return { record: { ...record, hash }, line: `${body.slice(0, -1)},"hash":"${hash}"}` };
}

/** What a line read back is: a record whose hash matches, a record whose hash does not, or not a record at all. */
export type LineCheck =
  | { status: 'ok'; record: AuditRecord }
  | { status: 'edited'; record: AuditRecord }
  | { status: 'empty' }
  | { status: 'not-json' }
  | { status: 'not-record'; seq?: number; detail: string };

const CLOSING_BRACE = Buffer.from('}');

/** Whether the line's bytes end in exactly `,"hash":"<hash>"}` and the rest, closed with `}`, hashes to it. */
function hashMatches(bytes: Buffer, hash: string): boolean {
  const suffix = Buffer.from(`,"hash":"${hash}"}`);
  if (bytes.length <= suffix.length || !bytes.subarray(bytes.length - suffix.length).equals(suffix)) return false;
  return sha256Hex(Buffer.concat([bytes.subarray(0, bytes.length - suffix.length), CLOSING_BRACE])) === hash;
}

function seqOf(value: unknown): number | undefined {
  const seq = typeof value === 'object' && value !== null ? (value as { seq?: unknown }).seq : undefined;
  return Number.isSafeInteger(seq) ? (seq as number) : undefined;
}

/** Checks one line's bytes (without the newline). The hash is checked over the bytes as stored, not as re-serialised. */
export function checkRecordLine(bytes: Buffer): LineCheck {
  if (bytes.length === 0) return { status: 'empty' };
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { status: 'not-json' };
  }
  const parsed = auditRecordSchema.safeParse(value, { error: plainIssueMessages });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const detail = issue === undefined ? 'not a record' : issue.path.length === 0 ? issue.message : `${fieldPath(issue.path)}: ${issue.message}`;
    const seq = seqOf(value);
    return seq === undefined ? { status: 'not-record', detail } : { status: 'not-record', seq, detail };
  }
  return { status: hashMatches(bytes, parsed.data.hash) ? 'ok' : 'edited', record: parsed.data };
}

/** `line 17 (seq 16)`, or `line 17` when the seq is unknown. */
export function lineLabel(line: number, seq?: number): string {
  return seq === undefined ? `line ${line}` : `line ${line} (seq ${seq})`;
}

/** What is wrong with a line that is not a good record, after its label: `was edited: ...`, `is not valid JSON`. */
export function lineProblemWords(check: Exclude<LineCheck, { status: 'ok' }>): string {
  switch (check.status) {
    case 'edited':
      return 'was edited: its hash does not match its contents';
    case 'empty':
      return 'is empty';
    case 'not-json':
      return 'is not valid JSON';
    case 'not-record':
      return `is not an audit record: ${check.detail}`;
    default:
      return assertNever(check);
  }
}

/** Plain words for a line that is not a good record: `line 17 (seq 16) was edited: its hash does not match its contents`. */
export function describeLineProblem(line: number, check: Exclude<LineCheck, { status: 'ok' }>): string {
  return `${lineLabel(line, seqOfCheck(check))} ${lineProblemWords(check)}`;
}

function seqOfCheck(check: Exclude<LineCheck, { status: 'ok' }>): number | undefined {
  return check.status === 'edited' ? check.record.seq : check.status === 'not-record' ? check.seq : undefined;
}

/** The record a line holds, whether or not its hash matches (for reading, not for trusting). */
export function recordOf(check: LineCheck): AuditRecord | undefined {
  return check.status === 'ok' || check.status === 'edited' ? check.record : undefined;
}
