/** Whether the console server answers, logged once when it stops answering and once when it is back, not at every failed call. */
import type { Logger } from '../../util/logger';

export class Reachability {
  private down = false;

  constructor(
    private readonly server: string,
    private readonly logger: Logger,
    /** Called when the server answers again after it did not: work that waited can go now. */
    private readonly onBack?: () => void,
  ) {}

  get reachable(): boolean {
    return !this.down;
  }

  succeeded(): void {
    if (!this.down) return;
    this.down = false;
    this.logger.info('console server reachable again', { server: this.server });
    this.onBack?.();
  }

  failed(error: string): void {
    if (this.down) return;
    this.down = true;
    this.logger.warn('console server unreachable; the last policy verified stays in force', { server: this.server, error });
  }
}
