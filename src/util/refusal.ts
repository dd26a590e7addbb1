/** An error that carries the HTTP status explaining it (400 the input, 404 nothing by that name, 409 the state forbids it), for the API that reports it. */
export class Refusal extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}
