/** The OpenAPI 3.1 document of every route the server registers, built from each route's zod schemas (`GET /openapi.json`). */

import { z } from 'zod';
import type { RouteOptions } from 'fastify';
import { LOCAL_HTTP_SESSION_COOKIE_NAME, SESSION_COOKIE_NAME } from './auth/session-tokens';
import type { Role } from './users/roles';

/** Who may call a route, as the document tells it. */
export type DocAuth = { kind: 'public' } | { kind: 'console'; roles: readonly Role[] | 'any' } | { kind: 'agent' };

/** What a route says about itself in its Fastify `config.doc`; `addRoute` fills it in. */
export interface RouteDoc {
  summary: string;
  auth: DocAuth;
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  /** The `value` of a `{ ok: true, value }` answer. */
  answer?: z.ZodType;
  /** The success status (200 unless said). */
  status?: number;
  /** For an answer that is not the JSON envelope: its media type (`application/json` for this document, `text/event-stream`). */
  rawAnswer?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    doc?: RouteDoc;
  }
}

export interface RegisteredRoute {
  method: string;
  path: string;
  /** Undefined for a route registered without one: listed all the same, as undocumented. */
  doc: RouteDoc | undefined;
}

/** Collects routes from Fastify's onRoute hook, so a plugin's routes are listed however they were added. */
export class RouteRegistry {
  private readonly list: RegisteredRoute[] = [];

  readonly onRoute = (route: RouteOptions): void => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      // Fastify adds a HEAD route for every GET by itself.
      if (method === 'HEAD') continue;
      this.list.push({ method, path: route.url, doc: route.config?.doc });
    }
  };

  routes(): readonly RegisteredRoute[] {
    return this.list;
  }
}

type JsonObject = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const converted = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject;
  // The document's dialect is OpenAPI 3.1's own (JSON Schema 2020-12): each schema need not say so.
  delete converted.$schema;
  return converted;
}

const errorSchema = { type: 'object', properties: { ok: { const: false }, error: { type: 'string' } }, required: ['ok', 'error'] };

function envelope(answer: z.ZodType | undefined): JsonObject {
  return { type: 'object', properties: { ok: { const: true }, value: answer === undefined ? {} : jsonSchema(answer, 'output') }, required: ['ok', 'value'] };
}

function parameters(schema: z.ZodType | undefined, where: 'query' | 'path'): JsonObject[] {
  if (schema === undefined) return [];
  const object = jsonSchema(schema, 'input');
  const properties = (object.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({ name, in: where, required: where === 'path' || required.has(name), schema: property }));
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function security(auth: DocAuth, method: string): JsonObject[] {
  switch (auth.kind) {
    case 'public':
      return [];
    case 'console':
      return [STATE_CHANGING.has(method) ? { consoleSession: [], csrfToken: [] } : { consoleSession: [] }];
    case 'agent':
      return [{ agentSignature: [] }];
  }
}

function refusals(auth: DocAuth | undefined, hasInput: boolean): Record<string, JsonObject> {
  const refused = (description: string): JsonObject => ({ description, content: { 'application/json': { schema: errorSchema } } });
  const out: Record<string, JsonObject> = {};
  if (hasInput) out['400'] = refused('a field is missing or wrong; the error names it');
  if (auth !== undefined && auth.kind !== 'public') out['401'] = refused('not signed in, or the signature is wrong');
  if (auth?.kind === 'console') out['403'] = refused('the account lacks the role needed, or the CSRF token is missing or wrong');
  return out;
}

function operation(route: RegisteredRoute): JsonObject {
  const doc = route.doc;
  if (doc === undefined) return { summary: 'undocumented', responses: { default: { description: 'not described' } } };
  const success = doc.rawAnswer === undefined ? { 'application/json': { schema: envelope(doc.answer) } } : { [doc.rawAnswer]: { schema: doc.answer === undefined ? {} : jsonSchema(doc.answer, 'output') } };
  const op: JsonObject = {
    summary: doc.summary,
    security: security(doc.auth, route.method),
    parameters: [...parameters(doc.params, 'path'), ...parameters(doc.query, 'query')],
    responses: { [String(doc.status ?? 200)]: { description: 'done', content: success }, ...refusals(doc.auth, doc.body !== undefined || doc.query !== undefined || doc.params !== undefined) },
  };
  if (doc.auth.kind === 'console') op['x-portcullis-roles'] = doc.auth.roles;
  if (doc.body !== undefined) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(doc.body, 'input') } } };
  return op;
}

/** `/api/requests/:id` → `/api/requests/{id}`. */
function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export interface OpenApiOptions {
  version: string;
  localHttp: boolean;
}

/** The document for `routes`, paths in registration order. */
export function openApiDocument(routes: readonly RegisteredRoute[], options: OpenApiOptions): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Portcullis console server',
      version: options.version,
      description: 'Every answer but this document is { "ok": true, "value": ... } or { "ok": false, "error": "a sentence" }.',
    },
    paths,
    components: {
      securitySchemes: {
        consoleSession: { type: 'apiKey', in: 'cookie', name: options.localHttp ? LOCAL_HTTP_SESSION_COOKIE_NAME : SESSION_COOKIE_NAME, description: 'set by POST /api/session' },
        csrfToken: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token', description: "the session's csrfToken, on every state-changing console request" },
        agentSignature: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'Portcullis-Agent id=..., ts=..., nonce=..., body=..., sig=... (src/server/auth/agent-request-auth.ts)' },
      },
    },
  };
}
