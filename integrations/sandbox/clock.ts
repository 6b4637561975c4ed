import type { Clock } from '../clock.port';

/**
 * The sandbox's clock: starts at a fixed instant, moves only when told (tests), or also with real time
 * (`npm start`); either way it can be advanced, so a ten-minute bake passes with one click.
 */
export class SandboxClock implements Clock {
  private offset = 0;
  private readonly realStart: number;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly start: number,
    private readonly options: { readonly realTime?: boolean; readonly realNow?: () => number } = {},
  ) {
    this.realStart = this.realNow();
  }

  now(): number {
    const real = this.options.realTime === true ? this.realNow() - this.realStart : 0;
    return this.start + real + this.offset;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error('the sandbox clock only moves forward');
    this.offset += ms;
    for (const listener of this.listeners) listener();
  }

  /** Calls `listener` after each advance; returns the way to stop. */
  onAdvance(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Where the clock stands, as saved between runs: ahead of real time by this much when it runs in real time (the
   * sandbox went on while opsbot was stopped, as AWS does), else the instant itself.
   */
  saved(): number {
    return this.options.realTime === true ? this.now() - this.realNow() : this.now();
  }

  /** Moves the clock to where a saved run left it ({@link saved}); never back. */
  resume(saved: number): void {
    const target = this.options.realTime === true ? this.realNow() + saved : saved;
    if (Number.isFinite(target) && target > this.now()) this.advance(target - this.now());
  }

  private realNow(): number {
    return (this.options.realNow ?? Date.now)();
  }
}
