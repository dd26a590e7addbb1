/** The local API's idle calls: a tray checks in for its session (and gets its idle settings), and reports the locks and logoffs it carried out. */
import { z } from 'zod';
import type { IdleEvent } from '../idle/idle-controller';
import type { UserSession } from '../idle/session-list';
import type { IdleSupervisor } from './idle-supervisor';
import type { PeerCredentials } from './peer-credentials';
import type { TrayRegistry } from './tray-registry';

/** What the local API needs for its idle calls. */
export interface LocalIdleParts {
  supervisor: Pick<IdleSupervisor, 'findSession' | 'settingsFor' | 'recordTrayEvent' | 'subscribe' | 'presenting'>;
  trays: TrayRegistry;
}

type IdleReply = { status: number; body: { ok: true; value: unknown } | { ok: false; error: string } };

const ok = (value: unknown): IdleReply => ({ status: 200, body: { ok: true, value } });
const fail = (status: number, error: string): IdleReply => ({ status, body: { ok: false, error } });

const sessionId = z.string().min(1).max(100);
const at = z.int().min(0);
const text = z.string().max(1000);
const action = z.enum(['lock', 'logoff']);
const state = z.enum(['active', 'lock-warning', 'locked', 'logoff-warning', 'logged-off', 'asleep']);

/** The IdleEvent shapes (`src/idle/idle-types.ts`), instants as epoch milliseconds. */
export const idleEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('state'), at, from: state, to: state }),
  z.strictObject({ type: z.literal('warning'), at, action, deadline: at }),
  z.strictObject({ type: z.literal('warning-dismissed'), at, action, by: z.enum(['input', 'still-here']) }),
  z.strictObject({ type: z.literal('locking'), at, idleMs: z.number().min(0).max(Number.MAX_SAFE_INTEGER) }),
  z.strictObject({ type: z.literal('logging-off'), at, lockedForMs: z.number().min(0).max(Number.MAX_SAFE_INTEGER) }),
  z.strictObject({ type: z.literal('presenting-started'), at, until: at }),
  z.strictObject({ type: z.literal('presenting-ended'), at, reason: z.enum(['user', 'limit']) }),
  z.strictObject({ type: z.literal('presenting-refused'), at, reason: text }),
  z.strictObject({ type: z.literal('exempt'), at, reason: text }),
  z.strictObject({ type: z.literal('action-failed'), at, action, error: text, retryAt: at }),
]);

export const heartbeatBody = z.strictObject({ session: sessionId });
export const idleEventBody = z.strictObject({ session: sessionId, event: idleEventSchema });
/** Presenting mode on (for `minutes`, at most the policy's limit; the limit when left out) or off. */
export const presentingBody = z.strictObject({ session: sessionId, on: z.boolean(), minutes: z.int().min(1).max(720).optional() });

function badBody(issues: readonly { path: readonly PropertyKey[]; message: string }[]): IdleReply {
  return fail(400, issues.map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.message}`).join('; '));
}

/** Only root, or the user the session belongs to, may speak for a session: a tray checking in stops the service's own lock of it. */
function refusal(peer: PeerCredentials | undefined, session: UserSession): string | undefined {
  if (!peer) return `the agent could not tell who connected, so it cannot take a tray's word for session ${session.id}`;
  if (peer.uid === 0) return undefined;
  const theirs = session.uid !== undefined ? peer.uid === session.uid : peer.user.toLowerCase() === session.user.toLowerCase();
  return theirs ? undefined : `session ${session.id} is not yours (it is ${session.user}'s, and you are ${peer.user})`;
}

async function sessionFor(parts: LocalIdleParts, id: string, peer: PeerCredentials | undefined): Promise<UserSession | IdleReply> {
  const session = await parts.supervisor.findSession(id);
  if (!session) return fail(404, `nobody is logged on in session ${id}`);
  const refused = refusal(peer, session);
  return refused === undefined ? session : fail(403, refused);
}

/** `POST /v1/idle/heartbeat`: the tray of `session` is running; answers the session's idle settings. */
export async function idleHeartbeat(parts: LocalIdleParts, json: unknown, peer: PeerCredentials | undefined): Promise<IdleReply> {
  const body = heartbeatBody.safeParse(json);
  if (!body.success) return badBody(body.error.issues);
  const session = await sessionFor(parts, body.data.session, peer);
  if ('status' in session) return session;
  parts.trays.heartbeat(session.id);
  return ok(parts.supervisor.settingsFor(session));
}

/** `POST /v1/idle/events`: what the tray of `session` did (it locked, logged off, warned); audited as the tray's. */
export async function idleEventReport(parts: LocalIdleParts, json: unknown, peer: PeerCredentials | undefined): Promise<IdleReply> {
  const body = idleEventBody.safeParse(json);
  if (!body.success) return badBody(body.error.issues);
  const session = await sessionFor(parts, body.data.session, peer);
  if ('status' in session) return session;
  // Typed as IdleEvent here: the schema can accept nothing the controller's own type does not allow.
  const event: IdleEvent = body.data.event;
  const recorded = await parts.supervisor.recordTrayEvent(session, event);
  return ok({ recorded });
}

/** `POST /v1/idle/presenting`: the session's user turns presenting mode on or off, where the service (not a tray) watches the session. */
export async function idlePresenting(parts: LocalIdleParts, json: unknown, peer: PeerCredentials | undefined): Promise<IdleReply> {
  const body = presentingBody.safeParse(json);
  if (!body.success) return badBody(body.error.issues);
  const session = await sessionFor(parts, body.data.session, peer);
  if ('status' in session) return session;
  const limitMs = parts.supervisor.settingsFor(session).presentingLimitMs;
  const forMs = body.data.minutes === undefined ? limitMs : body.data.minutes * 60_000;
  const result = await parts.supervisor.presenting(session.id, body.data.on, forMs);
  if (!result) return fail(409, `the tray of session ${session.id} runs its idle lock: turn presenting mode on or off there`);
  if (body.data.on && result.presentingUntil === undefined) return fail(403, limitMs === 0 ? 'presenting mode is not allowed by the idle policy' : 'presenting mode cannot be turned on now (the session is locked)');
  return ok({ presentingUntil: result.presentingUntil === undefined ? null : new Date(result.presentingUntil).toISOString() });
}
