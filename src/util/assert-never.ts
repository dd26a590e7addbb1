/** Exhaustiveness check for switches over unions: the compiler proves this is unreachable. */

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
