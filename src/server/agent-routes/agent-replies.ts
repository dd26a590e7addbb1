/** How the agent routes read bodies and refuse: raw bytes kept for the signature, JSON parsed and zod-validated only after authentication, every refusal `{ error, message }`. */

import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { z } from 'zod';
import type { Result } from '../../policy/policy-document';
import { parseJsonWith } from '../../policy/zod-issues';
import type { Logger } from '../../util/logger';

/** The body of every refusal. */
export interface ErrorAnswer {
  /** A stable code (`used-token`, `bad-signature`, `invalid-body`, ...) for the agent to act on. */
  error: string;
  /** Plain words for the log or the admin. */
  message: string;
}

export function refuse(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  return reply.code(status).send({ error, message } satisfies ErrorAnswer);
}

/**
 * Keeps JSON bodies as the exact bytes received (`request.body` is a Buffer): the signature
 * covers those bytes, so they are checked before anything reads them. Other media types are
 * refused (415) by Fastify. Applies to this plugin's routes only (Fastify encapsulation).
 */
export function keepRawJsonBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
}

/** The bytes a route received, or undefined for none. */
export function rawBody(body: unknown): Buffer | undefined {
  return Buffer.isBuffer(body) && body.length > 0 ? body : undefined;
}

/** Parses and validates a body; the error is one line per problem, each naming the field (`body: requests[0].localId: ...`). */
export function parseBody<T>(body: unknown, schema: z.ZodType<T>, name = 'body'): Result<T> {
  const bytes = rawBody(body);
  if (bytes === undefined) return { ok: false, error: `${name}: required, but missing: send a JSON object` };
  return parseJsonWith(bytes.toString('utf8'), name, schema);
}

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid-content-length',
};

/** Answers Fastify's own refusals (413, 415, ...) in the same shape, and hides the details of a failure (500) from the agent while logging them. */
export function answerErrors(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = FASTIFY_CODES[error.code] ?? 'bad-request';
      const message = code === 'unsupported-media-type' ? 'send the body as application/json' : code === 'body-too-large' ? `the body is larger than this route accepts (${request.routeOptions.bodyLimit ?? 'the limit'} bytes)` : error.message;
      return refuse(reply, status, code, message);
    }
    logger.error('an agent request failed', { method: request.method, url: request.url, error: error.message, stack: error.stack });
    return refuse(reply, 500, 'server-error', 'the server could not handle this request; the failure was logged');
  });
}
