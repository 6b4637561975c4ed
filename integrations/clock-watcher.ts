import type { Clock } from './clock.port';
import type { DeployWatcher, WatchResult } from './watcher.port';

/** How often a watched deploy is polled: Slack shows a change within one poll, and updates at most this often. */
export const WATCH_INTERVAL_MS = 10_000;

/**
 * The watcher without Step Functions: each watched deploy is polled every interval on a clock — the sandbox's, so
 * tests move a deploy by advancing it and the local page shows progress moving by itself. The poll step is the one
 * the Step Functions execution runs in production; `tick` runs the polls that are due.
 */
export class ClockWatcher implements DeployWatcher {
  private readonly due = new Map<string, number>();
  private poll: ((deployId: string) => Promise<WatchResult>) | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly onError: (deployId: string, error: unknown) => void,
    private readonly intervalMs: number = WATCH_INTERVAL_MS,
    /** Extra wait before a deploy's first poll (measurements set it, so polls fall between the engine's steps). */
    private readonly firstPollDelayMs = 0,
  ) {}

  /** The poll step (built after the watcher, since it posts through ports that hold the watcher). */
  attach(poll: (deployId: string) => Promise<WatchResult>): void {
    this.poll = poll;
  }

  async watch(deployId: string): Promise<void> {
    if (!this.due.has(deployId)) this.due.set(deployId, this.clock.now() + this.intervalMs + this.firstPollDelayMs);
  }

  /** The deploys being watched. */
  watching(): string[] {
    return [...this.due.keys()];
  }

  /** Runs the polls that are due; one tick at a time (a tick asked for while one runs waits for it). */
  async tick(): Promise<number> {
    while (this.running !== undefined) await this.running;
    this.running = this.runDue();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async runDue(): Promise<number> {
    const poll = this.poll;
    if (poll === undefined) return 0;
    const now = this.clock.now();
    const due = [...this.due].filter(([, at]) => at <= now).map(([id]) => id);
    for (const id of due) {
      let done = false;
      try {
        done = (await poll(id)).done;
      } catch (error) {
        // A failed poll is tried again next interval, as a Step Functions retry would.
        this.onError(id, error);
      }
      if (done) this.due.delete(id);
      else this.due.set(id, this.clock.now() + this.intervalMs);
    }
    return due.length;
  }
}
