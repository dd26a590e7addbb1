/** Runs async work one item at a time, in the order given; a failure is reported and does not stop later work. */

export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly onError: (error: unknown) => void) {}

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work, work);
    this.tail = next.catch(this.onError);
    return next;
  }

  /** Resolves when everything queued so far has run. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
