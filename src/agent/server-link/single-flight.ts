/** Runs a task at most once at a time: asking while it runs makes it run once more after, however many times it was asked. */

export class SingleFlight {
  private running: Promise<void> | undefined;
  private again = false;

  /** Errors go to `onError`: `run()` never rejects. */
  constructor(
    private readonly task: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Starts the task, or, if it is running, marks it to run again; resolves when a run that began after this call is done. */
  run(): Promise<void> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop();
    return this.running;
  }

  /** Resolves when no run is in progress, starting none. */
  async idle(): Promise<void> {
    await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.task();
      } catch (error) {
        this.onError(error);
      }
    } while (this.again);
    this.running = undefined;
  }
}
