import type { JobQueue } from '../jobs.port';

/**
 * Runs jobs in this process, after the current request has been answered (the local stand-in for an
 * async Lambda invoke). `drain()` lets tests wait until everything sent so far, and what it sent, is done.
 */
export class InProcessJobQueue<J> implements JobQueue<J> {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly run: (job: J) => Promise<void>,
    private readonly onError: (error: unknown, job: J) => void,
  ) {}

  async send(job: J): Promise<void> {
    // Serialise like a real invoke, so nothing shares state with the request that sent it.
    const copy = JSON.parse(JSON.stringify(job)) as J;
    const done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.run(copy))
      .catch((error: unknown) => this.onError(error, copy))
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  /** Resolves when no job is running or queued. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
