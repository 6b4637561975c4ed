import type { Clock } from '../clock.port';

/**
 * The sandbox's clock: starts at a fixed instant, moves only when told (tests), or also with real time
 * (`npm start`); either way it can be advanced, so a ten-minute bake passes with one click.
 */
export class SandboxClock implements Clock {
  private offset = 0;
  private readonly realStart: number;

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
  }

  private realNow(): number {
    return (this.options.realNow ?? Date.now)();
  }
}
