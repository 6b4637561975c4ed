import { Aws, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

/** A CodeDeploy deployment group, and the rollback alarms (in its own account and region) it should stop on. */
export interface AlarmedGroup {
  readonly application: string;
  readonly deploymentGroup: string;
  readonly region: string;
  readonly alarms: readonly string[];
}

/**
 * Defence in depth for services CodeDeploy deploys: each deployment group gets its rollback alarms as its own alarm
 * configuration, with automatic rollback on failure and on alarm (`UpdateDeploymentGroup` with those two settings:
 * the group's alarm list and rollback events are replaced, the rest of the group is left as it is), so CodeDeploy
 * stops and rolls back even while opsbot is down. Nothing is undone when the stack is deleted.
 */
export class EngineAlarmRollback extends Construct {
  constructor(scope: Construct, id: string, props: { readonly groups: readonly AlarmedGroup[] }) {
    super(scope, id);
    const account = Stack.of(this).account;
    props.groups.forEach((g, i) => {
      if (g.alarms.length > 10) {
        throw new Error(
          `CodeDeploy takes at most 10 alarms per deployment group; ${g.application}/${g.deploymentGroup} has ${g.alarms.length} rollback alarms. Combine some in a composite alarm.`,
        );
      }
      const groupArn = `arn:${Aws.PARTITION}:codedeploy:${g.region}:${account}:deploymentgroup:${g.application}/${g.deploymentGroup}`;
      const call = {
        service: 'CodeDeploy',
        action: 'UpdateDeploymentGroup',
        region: g.region,
        parameters: {
          applicationName: g.application,
          currentDeploymentGroupName: g.deploymentGroup,
          alarmConfiguration: {
            enabled: true,
            ignorePollAlarmFailure: false,
            alarms: g.alarms.map((name) => ({ name })),
          },
          autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] },
        },
        physicalResourceId: PhysicalResourceId.of(`${g.application}/${g.deploymentGroup}`),
      };
      new AwsCustomResource(this, `Group${i}`, {
        onCreate: call,
        onUpdate: call,
        installLatestAwsSdk: false,
        policy: AwsCustomResourcePolicy.fromStatements([
          new PolicyStatement({ actions: ['codedeploy:UpdateDeploymentGroup'], resources: [groupArn] }),
        ]),
      });
    });
    Validations.of(Stack.of(this)).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'The basic execution role only lets each function write its own CloudWatch Logs.',
      },
      {
        id: 'AwsSolutions-L1',
        reason: 'The CDK’s own custom-resource function: its runtime is the one the CDK version ships and tests.',
      },
    );
  }
}
