/** What a poll of a watched deploy found: whether there is anything left to watch. */
export interface WatchResult {
  readonly done: boolean;
  /** The watcher should go on in a fresh execution of itself (Step Functions' history has a limit). */
  readonly handOver?: boolean;
}

/**
 * Watches deploys to their end: each watched deploy is polled (its message updated, its lock released at the end)
 * until a poll says it is done. In production a Step Functions execution per deploy; locally, the sandbox's clock.
 */
export interface DeployWatcher {
  /** Starts watching; watching a deploy twice watches it once. */
  watch(deployId: string): Promise<void>;
}
