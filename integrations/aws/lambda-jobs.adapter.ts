import type { LambdaClient } from '@aws-sdk/client-lambda';
import { OpsbotError } from '../errors';
import type { JobQueue } from '../jobs.port';

/** Sends jobs to the worker function as asynchronous invokes (`InvocationType: Event`). */
export class LambdaJobQueue<J> implements JobQueue<J> {
  constructor(
    private readonly client: () => Promise<LambdaClient>,
    private readonly functionName: string,
  ) {}

  async send(job: J): Promise<void> {
    // A chunk of its own in the slack function's bundle, which its entry starts loading at init.
    const { InvokeCommand } = await import('./lambda-client');
    const client = await this.client();
    const response = await client.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify(job)),
      }),
    );
    if (response.StatusCode !== 202) {
      throw new OpsbotError(
        'WORKER_UNAVAILABLE',
        'I could not hand this request to my worker, so nothing was done.',
        'Try again in a minute; if it keeps failing, ask whoever runs opsbot to check the worker function.',
      );
    }
  }
}
