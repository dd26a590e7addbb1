/** Which sessions have a running tray: each tray checks in with a heartbeat, and one not heard from for `staleAfterMs` counts as gone. */

export interface TrayRegistryOptions {
  /** Epoch milliseconds now. */
  clock: () => number;
  /** How long after its last heartbeat a tray still counts as running. Default 20 s. */
  staleAfterMs?: number;
}

export type TrayCheckInListener = (session: string) => void;

export class TrayRegistry {
  readonly staleAfterMs: number;
  private readonly lastBeat = new Map<string, number>();
  private readonly listeners = new Set<TrayCheckInListener>();

  constructor(private readonly options: TrayRegistryOptions) {
    this.staleAfterMs = options.staleAfterMs ?? 20_000;
  }

  /** A tray in `session` says it is running; listeners hear of it when the session had none. */
  heartbeat(session: string): void {
    const arrived = !this.present(session);
    this.prune();
    this.lastBeat.set(session, this.options.clock());
    if (arrived) for (const listener of this.listeners) listener(session);
  }

  /** Whether a tray in `session` has beaten within `staleAfterMs`. */
  present(session: string): boolean {
    const last = this.lastBeat.get(session);
    return last !== undefined && this.options.clock() - last <= this.staleAfterMs;
  }

  /** Called when a tray checks in where there was none (started, or back after its beats stopped). */
  onCheckIn(listener: TrayCheckInListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets trays long gone, so ended sessions do not pile up. */
  private prune(): void {
    for (const [session, last] of this.lastBeat) {
      if (this.options.clock() - last > this.staleAfterMs) this.lastBeat.delete(session);
    }
  }
}
