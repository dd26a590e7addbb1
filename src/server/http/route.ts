/** `addRoute`: one JSON route with zod-checked input, an auth kind, and a `{ ok: true, value }` answer, listed in the OpenAPI document. */

import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { z } from 'zod';
import { requireRole, requireSession } from '../console-auth/require-role';
import type { ConsoleSession } from '../console-auth/session-store';
import type { DocAuth, RouteDoc } from '../openapi';
import type { Role } from '../users/roles';
import { parseInputs } from './validation';
import './server-context';

/**
 * `public`: anyone. `console`: a signed-in user with one of `roles` ('any': every role), and the
 * session's CSRF token on POST/PUT/PATCH/DELETE. `agent`: an enrolled agent, checked by the
 * agent-facing routes' own hook `check` (it must throw an HttpError to refuse).
 */
export type RouteAuth = { kind: 'public' } | { kind: 'console'; roles: readonly Role[] | 'any' } | { kind: 'agent'; check: preHandlerAsyncHookHandler };

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteInput<Auth extends RouteAuth, Body, Query, Params> {
  request: FastifyRequest;
  /** For headers and cookies; the answer itself is what `handle` returns. */
  reply: FastifyReply;
  body: Body;
  query: Query;
  params: Params;
  session: Auth extends { kind: 'console' } ? ConsoleSession : null;
}

type Unset = z.ZodType<undefined, undefined>;

export interface RouteDefinition<Auth extends RouteAuth, Body extends z.ZodType, Query extends z.ZodType, Params extends z.ZodType, Answer extends z.ZodType> {
  method: HttpMethod;
  /** Fastify's form (`/api/requests/:id`), after any prefix the plugin was registered with. */
  path: string;
  summary: string;
  auth: Auth;
  body?: Body;
  query?: Query;
  params?: Params;
  /** The answer's `value`; what `handle` returns is parsed with it, so fields it does not name never leave the server. */
  answer: Answer;
  /** 200 unless said (201 for something created). */
  status?: number;
  handle(input: RouteInput<Auth, z.output<Body>, z.output<Query>, z.output<Params>>): Promise<z.input<Answer>>;
}

function authHook(auth: RouteAuth): preHandlerAsyncHookHandler | undefined {
  switch (auth.kind) {
    case 'public':
      return undefined;
    case 'console':
      return auth.roles === 'any' ? requireSession : requireRole(...auth.roles);
    case 'agent':
      return auth.check;
  }
}

function docAuth(auth: RouteAuth): DocAuth {
  return auth.kind === 'console' ? { kind: 'console', roles: auth.roles } : { kind: auth.kind };
}

/**
 * Registers one route on `app` (the root app or a plugin's instance): the auth hook runs first
 * (so a caller without a session learns nothing about the body it should send), then the body,
 * query and path parameters are checked (400 naming each field), then `handle`.
 */
export function addRoute<Auth extends RouteAuth, Body extends z.ZodType = Unset, Query extends z.ZodType = Unset, Params extends z.ZodType = Unset, Answer extends z.ZodType = z.ZodType>(
  app: FastifyInstance,
  definition: RouteDefinition<Auth, Body, Query, Params, Answer>,
): void {
  const { method, path, summary, auth, body, query, params, answer, status } = definition;
  const doc: RouteDoc = { summary, auth: docAuth(auth), body, query, params, answer, status };
  const preHandler = authHook(auth);
  app.route({
    method,
    url: path,
    config: { doc },
    ...(preHandler === undefined ? {} : { preHandler }),
    handler: async (request, reply) => {
      const parsed = parseInputs({ params, query, body }, { params: request.params, query: request.query, body: request.body });
      const input = { request, reply, ...parsed, session: request.consoleSession } as RouteInput<Auth, z.output<Body>, z.output<Query>, z.output<Params>>;
      const value: unknown = answer.parse(await definition.handle(input));
      return reply.code(status ?? 200).send({ ok: true, value });
    },
  });
}
