/** An HTTP refusal with a sentence for the caller: the server's error handler answers it as `{ ok: false, error }` with its status and headers. */

export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}
