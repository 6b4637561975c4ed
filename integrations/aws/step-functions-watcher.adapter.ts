import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { DeployWatcher } from '../watcher.port';

/**
 * The production watcher: a Standard Step Functions execution per deploy (Wait, the worker's poll step, Choice),
 * named after the deploy, so starting it twice starts it once. It hands the deploy over to a successor named
 * `<name>_w<generation>` before its history grows too long (infra/constructs/deploy-watcher.ts): the input below is
 * the state it carries, and a start after a hand-over finds the first name taken and starts nothing.
 */
export class StepFunctionsWatcher implements DeployWatcher {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async watch(deployId: string): Promise<void> {
    // Execution names are unique per state machine for 90 days: a repeated start is refused, not run twice. The name
    // leaves room for a successor's `_w<generation>`; run ids (`r-<hex>`) never end so.
    const execution = deployId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 72);
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: execution,
          input: JSON.stringify({ kind: 'watch', runId: deployId, execution, generation: 0, round: 0 }),
        }),
      );
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists || (error as { name?: string }).name === 'ExecutionAlreadyExists')
        return;
      throw error;
    }
  }
}
