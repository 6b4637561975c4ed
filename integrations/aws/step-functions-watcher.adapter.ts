import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { DeployWatcher } from '../watcher.port';

/**
 * The production watcher: one Standard Step Functions execution per deploy (Wait, the worker's poll step, Choice),
 * named after the deploy, so starting it twice starts it once.
 */
export class StepFunctionsWatcher implements DeployWatcher {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async watch(deployId: string): Promise<void> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          // Execution names are unique per state machine for 90 days: a repeated start is refused, not run twice.
          name: deployId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80),
          input: JSON.stringify({ kind: 'watch', runId: deployId }),
        }),
      );
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists || (error as { name?: string }).name === 'ExecutionAlreadyExists')
        return;
      throw error;
    }
  }
}
