import { isOpsbotError, OpsbotError } from '../errors';
import type { PipelineDetail, PipelineExecution, PipelineSummary, Pipelines } from '../pipelines.port';
import type { AwsAccount } from './clients';

/** A configured pipeline: where it lives. */
export interface PlacedPipeline {
  readonly name: string;
  readonly account: AwsAccount;
  readonly region: string;
}

/**
 * The configured pipelines across accounts and regions: each read through its own account's and region's adapter
 * (one per place, from the client factory). An account that cannot be reached — a role that cannot be assumed,
 * access denied — does not fail the overview: its pipelines are listed as unavailable, naming why, and the rest
 * are shown.
 */
export class AccountPipelines implements Pipelines {
  private readonly places = new Map<string, { account: AwsAccount; region: string; names: string[] }>();
  private readonly placeOf = new Map<string, string>();

  constructor(
    pipelines: readonly PlacedPipeline[],
    private readonly adapterFor: (account: AwsAccount, region: string, names: readonly string[]) => Pipelines,
  ) {
    for (const p of pipelines) {
      const key = `${p.account.id}|${p.region}`;
      const place = this.places.get(key) ?? { account: p.account, region: p.region, names: [] };
      place.names.push(p.name);
      this.places.set(key, place);
      this.placeOf.set(p.name, key);
    }
  }

  async list(): Promise<PipelineSummary[]> {
    const results = await Promise.all(
      [...this.places.values()].map(async (place) => {
        try {
          return await this.adapter(place).list();
        } catch (error) {
          const why = isOpsbotError(error) ? error.userMessage : `account ${place.account.name} could not be read`;
          return place.names.map((name): PipelineSummary => ({ name, status: 'Unknown', unavailable: why }));
        }
      }),
    );
    return results.flat();
  }

  async get(name: string): Promise<PipelineDetail> {
    return this.adapter(this.place(name)).get(name);
  }

  async retryStage(name: string, stage: string, executionId: string): Promise<void> {
    await this.adapter(this.place(name)).retryStage(name, stage, executionId);
  }

  async executions(name: string, limit: number): Promise<PipelineExecution[]> {
    return this.adapter(this.place(name)).executions(name, limit);
  }

  async execution(name: string, id: string): Promise<PipelineExecution | undefined> {
    return this.adapter(this.place(name)).execution(name, id);
  }

  async branch(name: string, executionId: string): Promise<string | undefined> {
    return this.adapter(this.place(name)).branch(name, executionId);
  }

  private place(name: string) {
    const place = this.places.get(this.placeOf.get(name) ?? '');
    if (place === undefined) {
      throw new OpsbotError(
        'UNKNOWN_PIPELINE',
        `${name} is not a configured pipeline.`,
        'Add it under `pipelines` in opsbot.config.yaml, or run `/deploy pipelines` to list them.',
      );
    }
    return place;
  }

  private adapter(place: { account: AwsAccount; region: string; names: string[] }): Pipelines {
    return this.adapterFor(place.account, place.region, place.names);
  }
}
