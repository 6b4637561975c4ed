import { AccountPipelines } from '../../integrations/aws/account-pipelines';
import { OpsbotError } from '../../integrations/errors';
import type { Pipelines } from '../../integrations/pipelines.port';
import { pipelinesOverview } from '../../intents/pipelines/pipeline-card';
import { sandboxPorts, shown, summaryText } from '../support/ports';

const tools = { name: 'tools', id: '111111111111' };
const prod = { name: 'prod', id: '222222222222', roleArn: 'arn:aws:iam::222222222222:role/opsbot' };

function adapters(calls: string[]) {
  return (account: { id: string }, region: string, names: readonly string[]): Pipelines => ({
    list: async () => {
      calls.push(`${account.id}/${region}:${names.join(',')}`);
      if (account.id === prod.id) {
        throw new OpsbotError(
          'ROLE_NOT_ASSUMABLE',
          "opsbot can't assume the role arn:aws:iam::222222222222:role/opsbot in account prod (222222222222), so it can't reach that account.",
        );
      }
      return names.map((name) => ({ name, status: 'Succeeded' as const, lastExecutionAt: 0 }));
    },
    get: async (name) => ({ name, stages: [] }),
    retryStage: async () => undefined,
    executions: async () => [],
    execution: async () => undefined,
    branch: async () => undefined,
  });
}

describe('pipelines across accounts and regions', () => {
  it('reads each account and region through its own adapter, and names the account it cannot reach while showing the rest', async () => {
    // Prepare
    const calls: string[] = [];
    const pipelines = new AccountPipelines(
      [
        { name: 'api-pipeline', account: tools, region: 'eu-west-1' },
        { name: 'web-pipeline', account: tools, region: 'eu-west-1' },
        { name: 'edge-pipeline', account: tools, region: 'us-east-1' },
        { name: 'prod-pipeline', account: prod, region: 'eu-west-1' },
      ],
      adapters(calls),
    );
    const { ports } = sandboxPorts();

    // Act
    const reply = await pipelinesOverview({ ...ports, pipelines });

    // Assess
    expect(calls.sort()).toEqual([
      '111111111111/eu-west-1:api-pipeline,web-pipeline',
      '111111111111/us-east-1:edge-pipeline',
      '222222222222/eu-west-1:prod-pipeline',
    ]);
    expect(summaryText(reply)).toBe(
      'All 3 pipelines that could be read are green. 1 could not be read: prod-pipeline.',
    );
    expect(shown(reply)).toContain(
      "*prod-pipeline* — opsbot can't assume the role arn:aws:iam::222222222222:role/opsbot in account prod",
    );
    expect(shown(reply)).toContain('*api-pipeline* · last run');
  });

  it('refuses a pipeline that is not configured, without calling AWS', async () => {
    // Prepare
    const calls: string[] = [];
    const pipelines = new AccountPipelines(
      [{ name: 'api-pipeline', account: tools, region: 'eu-west-1' }],
      adapters(calls),
    );

    // Act
    const attempt = pipelines.get('other-pipeline');

    // Assess
    await expect(attempt).rejects.toMatchObject({ code: 'UNKNOWN_PIPELINE' });
    expect(calls).toEqual([]);
  });
});
