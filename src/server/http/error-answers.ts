/** Every refusal and failure as `{ ok: false, error }`: Fastify's own (body too large, not JSON) in plain words, an HttpError as it is, and anything else as a 500 that names the request id and leaves the details in the log. */

import type { FastifyError, FastifyInstance } from 'fastify';
import { HttpError } from './http-error';

/** Fastify's codes for a body it could not read, in words for the caller. */
function plainWords(error: FastifyError, bodyLimit: number): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `the request body is larger than ${bodyLimit / 1024} KiB`;
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'body: not valid JSON';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'body: empty, but the Content-Type says JSON';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'send the body as JSON (Content-Type: application/json)';
    default:
      return error.message;
  }
}

export function installErrorAnswers(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler<FastifyError | HttpError>((error, request, reply) => {
    if (error instanceof HttpError) return reply.code(error.statusCode).headers(error.headers).send({ ok: false, error: error.message });
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send({ ok: false, error: plainWords(error, bodyLimit) });
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ ok: false, error: `The server failed to answer; its log has the details under request id ${request.id}.` });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ ok: false, error: `no such call: ${request.method} ${request.url.split('?')[0]}` }));
}
