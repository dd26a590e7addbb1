/** Runs an expensive look-up (one that starts programs) only when a cheap fingerprint says its answer may have changed, and at least every so many calls. */

/** A string that changes whenever the look-up's answer may have. */
export type Fingerprint = () => Promise<string>;

/**
 * The look-up's last outcome while the fingerprint stands, a fresh one when it changes, and a
 * fresh one after `fullEvery` calls without one. A failure is remembered like an answer (and
 * thrown again), so a look-up that cannot work here is not retried on every call.
 */
export function changeGated<T>(lookUp: () => Promise<T>, fingerprint: Fingerprint, fullEvery: number): () => Promise<T> {
  let last: { print: string; outcome: { ok: true; value: T } | { ok: false; error: unknown }; reused: number } | undefined;
  return async () => {
    const print = await fingerprint();
    if (last && last.print === print && last.reused + 1 < fullEvery) {
      last.reused += 1;
    } else {
      const outcome = await lookUp().then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      last = { print, outcome, reused: 0 };
    }
    if (last.outcome.ok) return last.outcome.value;
    throw last.outcome.error;
  };
}
