import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { addUser, signIn, testApp, type TestApp } from '../../test/support/console-server';
import { forEachDatabase } from '../../test/support/databases';
import type { Database } from './db/database';
import { addRoute } from './http/route';

/** What another engineer's module looks like: a plugin with its own routes, registered with a prefix. */
function otherModule(app: FastifyInstance): void {
  app.register(
    async (scope) => {
      addRoute(scope, {
        method: 'PUT',
        path: '/notes/:id',
        summary: 'Replace a note',
        auth: { kind: 'console', roles: ['dpo', 'it-admin'] },
        params: z.object({ id: z.string().regex(/^[a-z0-9-]+$/) }),
        query: z.object({ dryRun: z.enum(['yes', 'no']).default('no') }),
        body: z.strictObject({ text: z.string().max(200), pinned: z.boolean().optional() }),
        answer: z.object({ id: z.string(), text: z.string(), dryRun: z.string() }),
        handle: async ({ params, query, body }) => ({ id: params.id, text: body.text, dryRun: query.dryRun, secret: 'never sent' }),
      });
      addRoute(scope, { method: 'GET', path: '/boom', summary: 'Fails', auth: { kind: 'public' }, answer: z.object({}), handle: async () => { throw new Error('disk on fire'); } });
      addRoute(scope, {
        method: 'POST',
        path: '/echo-headers',
        summary: 'Logs what it was sent',
        auth: { kind: 'public' },
        body: z.object({ password: z.string() }),
        answer: z.object({}),
        async handle({ request }) {
          request.log.info({ headers: request.headers, body: request.body }, 'what came');
          return {};
        },
      });
      scope.get('/raw', async () => 'plain');
    },
    { prefix: '/api/other' },
  );
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

function headersOf(headers: Headers): Record<string, string | null> {
  return Object.fromEntries(Object.keys(SECURITY_HEADERS).map((name) => [name, headers.get(name)]));
}

forEachDatabase((harness) => {
  let db: Database;
  let server: TestApp;

  beforeEach(async () => {
    ({ db } = await harness.migrated());
    await addUser(db, 'dpo@school.example', 'dpo');
    server = await testApp(db, {}, otherModule);
  });
  afterEach(() => server.close());

  it('answers GET /api/health with the version and the database engine', async () => {
    const health = await server.call({ method: 'GET', url: '/api/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ ok: true, value: { status: 'ok', version: '0.0.0-test', database: harness.engine } });
    expect(health.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('puts the security headers on every answer, refusals and unknown paths included; HSTS only over HTTPS', async () => {
    for (const request of [
      { method: 'GET', url: '/api/health' },
      { method: 'GET', url: '/api/session' },
      { method: 'GET', url: '/nowhere' },
      { method: 'POST', url: '/api/session', payload: '{' , headers: { 'content-type': 'application/json' } },
    ] as const) {
      const answer = await server.call(request);
      expect(headersOf(answer.headers)).toEqual(SECURITY_HEADERS);
      expect(answer.headers.get('strict-transport-security')).toBeNull();
    }
    expect((await server.call({ method: 'GET', url: '/nowhere' })).json()).toEqual({ ok: false, error: 'no such call: GET /nowhere' });
    const https = await testApp(db, { localHttp: false });
    expect((await https.call({ method: 'GET', url: '/api/health' })).headers.get('strict-transport-security')).toBe('max-age=31536000');
    await https.close();
  });

  it('refuses oversized, malformed, empty and non-JSON bodies cleanly', async () => {
    const post = (payload: string, contentType = 'application/json') => server.call({ method: 'POST', url: '/api/session', payload, headers: { 'content-type': contentType } });
    const big = await post(JSON.stringify({ email: 'a@b.example', password: 'x'.repeat(64 * 1024) }));
    expect([big.statusCode, big.json()]).toEqual([413, { ok: false, error: 'the request body is larger than 64 KiB' }]);
    expect((await post('{"email": ')).json()).toEqual({ ok: false, error: 'body: not valid JSON' });
    expect((await post('')).json()).toEqual({ ok: false, error: 'body: empty, but the Content-Type says JSON' });
    const form = await post('email=a&password=b', 'application/x-www-form-urlencoded');
    expect([form.statusCode, form.json()]).toEqual([415, { ok: false, error: 'send the body as JSON (Content-Type: application/json)' }]);
    // A cross-site form may send text/plain without a preflight: refused like any other non-JSON body.
    expect((await post('{"email":"a@b.example","password":"x"}', 'text/plain')).statusCode).toBe(415);
    expect((await post('{"__proto__": {"admin": true}}')).statusCode).toBe(400);
    const wrongTypes = await post(JSON.stringify({ email: 7, password: ['x'] }));
    expect(wrongTypes.json()).toEqual({ ok: false, error: 'email: expected a string, got a number; password: expected a string, got an array' });
    expect((await post('[]')).json()).toEqual({ ok: false, error: 'body: expected an object, got an array' });
  });

  it("checks a route's path parameters, query and body, and sends only the answer's fields", async () => {
    const { cookie, csrfToken } = await signIn(server, 'dpo@school.example');
    const put = (url: string, payload: object) => server.call({ method: 'PUT', url, payload, headers: { cookie, 'x-csrf-token': csrfToken } });
    expect((await put('/api/other/notes/n-1?dryRun=yes', { text: 'hello' })).json()).toEqual({ ok: true, value: { id: 'n-1', text: 'hello', dryRun: 'yes' } });
    expect((await put('/api/other/notes/N_1?dryRun=maybe', { text: 'x'.repeat(201), pinned: 'yes' })).json()).toEqual({
      ok: false,
      error: 'id: Invalid string: must match pattern /^[a-z0-9-]+$/; dryRun: Invalid option: expected one of "yes"|"no"; text: Too big: expected string to have <=200 characters; pinned: expected a boolean, got a string',
    });
    expect((await put('/api/other/notes/n-1?dryRun=maybe', { text: 'x' })).json()).toEqual({ ok: false, error: 'dryRun: Invalid option: expected one of "yes"|"no"' });
    expect((await put('/api/other/notes/N_1', { text: 'x' })).json()).toEqual({ ok: false, error: 'id: Invalid string: must match pattern /^[a-z0-9-]+$/' });
    expect((await server.call({ method: 'PUT', url: '/api/other/notes/n-1', payload: { text: 'x' } })).statusCode).toBe(401);
  });

  it('answers a failure as a 500 naming the request id, with the details in the log only', async () => {
    const answer = await server.call({ method: 'GET', url: '/api/other/boom' });
    const id = answer.headers.get('x-request-id');
    expect([answer.statusCode, answer.json()]).toEqual([500, { ok: false, error: `The server failed to answer; its log has the details under request id ${id}.` }]);
    const logged = server.logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.message === 'request failed');
    expect(logged).toMatchObject({ level: 'error', module: 'server', reqId: id, err: { message: 'disk on fire' } });
    expect(logged?.time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('redacts passwords, cookies, CSRF tokens and Authorization headers wherever a route logs them', async () => {
    await server.call({ method: 'POST', url: '/api/other/echo-headers', payload: { password: 'Hunter-22-secret' }, headers: { cookie: 'portcullis-session=abcdef', 'x-csrf-token': 'tok-123', authorization: 'Portcullis-Agent id=1, sig=zzz' } });
    const line = server.logLines.find((text) => text.includes('what came')) ?? '';
    expect(JSON.parse(line)).toMatchObject({ headers: { cookie: '[redacted]', 'x-csrf-token': '[redacted]', authorization: '[redacted]' }, body: { password: '[redacted]' } });
    for (const secret of ['Hunter-22-secret', 'abcdef', 'tok-123', 'zzz']) expect(server.logLines.join('')).not.toContain(secret);
  });

  it('describes every route in an OpenAPI 3.1 document built from their schemas', async () => {
    const answer = await server.call({ method: 'GET', url: '/openapi.json' });
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    const document = JSON.parse(answer.body) as { openapi: string; paths: Record<string, Record<string, Record<string, unknown>>>; components: { securitySchemes: Record<string, unknown> } };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.fromEntries(Object.entries(document.paths).map(([path, operations]) => [path, Object.keys(operations)]))).toEqual({
      '/api/health': ['get'],
      '/openapi.json': ['get'],
      '/api/session': ['post', 'get', 'delete'],
      '/api/sso/providers': ['get'],
      '/sso/{provider}/start': ['get'],
      '/sso/{provider}/callback': ['get'],
      '/api/other/notes/{id}': ['put'],
      '/api/other/boom': ['get'],
      '/api/other/echo-headers': ['post'],
      '/api/other/raw': ['get'],
    });
    const put = document.paths['/api/other/notes/{id}']?.put;
    expect(put).toMatchObject({
      summary: 'Replace a note',
      security: [{ consoleSession: [], csrfToken: [] }],
      'x-portcullis-roles': ['dpo', 'it-admin'],
      parameters: [
        { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z0-9-]+$' } },
        { name: 'dryRun', in: 'query', required: false, schema: { type: 'string', enum: ['yes', 'no'], default: 'no' } },
      ],
      requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { text: { type: 'string', maxLength: 200 } }, required: ['text'], additionalProperties: false } } } },
    });
    expect(Object.keys(put?.responses as object)).toEqual(['200', '400', '401', '403']);
    expect(document.paths['/api/session']?.post).toMatchObject({ security: [], requestBody: { required: true } });
    expect(document.paths['/api/session']?.get).toMatchObject({ security: [{ consoleSession: [] }] });
    expect(document.paths['/api/other/raw']?.get).toEqual({ summary: 'undocumented', responses: { default: { description: 'not described' } } });
    expect(document.components.securitySchemes.consoleSession).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'portcullis-session' });
  });
});
