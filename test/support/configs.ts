import type { App } from 'aws-cdk-lib';
import type { OpsbotConfig } from '../../bot/config';
import { OpsbotAccessStack, type OpsbotAccessStackProps } from '../../infra/stacks/access-stack';

/** Test configurations shared by the infra tests. */

/** The Slack ids, staging and a protected prod with change calendars, opsbot's own account and prod's. */
const TWO_ACCOUNTS = `slack:
  botUserId: U0OPSBOT01
  botId: B0OPSBOT01
  channels: { deploys: C0DEPLOYS01, alerts: C0ALERTS001, notices: C0NOTICES01 }
environments:
  staging: { changeCalendar: { name: staging-changes, region: eu-west-1 } }
  prod: { protected: true, deployers: everyone, changeCalendar: { name: prod-changes, account: prod, region: eu-west-1 } }
accounts:
  tools: { id: "111111111111" }
  prod: { id: "222222222222", roleArn: "arn:aws:iam::222222222222:role/opsbot", externalId: opsbot-example }
`;

/** Two services: web on CodeDeploy, worker on ECS; staging in opsbot's own account, prod in another. */
export const TWO_ACCOUNT_DEPLOYS = `
${TWO_ACCOUNTS}services:
  web:
    environments:
      staging: { account: tools, region: eu-west-1, cluster: staging, repository: web, codedeploy: { application: web, deploymentGroup: web-staging }, rollbackAlarms: [web-staging-5xx] }
      prod: { account: prod, region: eu-west-1, cluster: prod, codedeploy: { application: web, deploymentGroup: web-prod }, repository: "333333333333.dkr.ecr.eu-west-1.amazonaws.com/shared/web", rollbackAlarms: [web-prod-5xx, "arn:aws:cloudwatch:us-east-1:222222222222:alarm:edge-5xx"] }
  worker:
    environments:
      staging: { account: tools, region: eu-west-1, cluster: staging, service: worker-svc, repository: worker }
      prod: { account: prod, region: eu-west-1, cluster: prod, repository: worker }
`;

/**
 * The access stack the infra tests deploy to the `prod` account (222222222222), trusting opsbot's home account
 * (111111111111); `more` adds to or replaces those props.
 */
export function prodAccessStack(
  app: App,
  config: OpsbotConfig,
  more: Partial<OpsbotAccessStackProps> = {},
  id = 'OpsbotAccess-prod',
): OpsbotAccessStack {
  return new OpsbotAccessStack(app, id, {
    config,
    accountName: 'prod',
    homeAccountId: '111111111111',
    env: { account: '222222222222' },
    ...more,
  });
}

/**
 * Every engine and every kind of place: CodeDeploy and ECS's own deployments (linear, with a hook), three accounts
 * (opsbot's own, prod, and an organization account with AWS Health's organizational view), two regions, an ECR
 * repository in another account, rollback alarms named by ARN in another account and region, pipelines in two
 * accounts, change calendars in two accounts.
 */
export const EVERY_ENGINE = `
${TWO_ACCOUNTS}  org: { id: "555555555555", roleArn: "arn:aws:iam::555555555555:role/opsbot-health", externalId: opsbot-org }
services:
  web:
    pipeline: web-pipeline
    environments:
      staging: { account: tools, region: eu-west-1, cluster: staging, repository: web, codedeploy: { application: web, deploymentGroup: web-staging }, rollbackAlarms: [web-staging-5xx, "arn:aws:cloudwatch:eu-west-1:222222222222:alarm:shared-edge-5xx"] }
      prod: { account: prod, region: eu-west-1, cluster: prod, codedeploy: { application: web, deploymentGroup: web-prod }, repository: "333333333333.dkr.ecr.eu-west-1.amazonaws.com/shared/web", rollbackAlarms: [web-prod-5xx, "arn:aws:cloudwatch:us-east-1:222222222222:alarm:edge-5xx"], hooks: { AfterAllowTestTraffic: web-smoke-test } }
  worker:
    environments:
      staging: { account: tools, region: eu-west-1, cluster: staging, service: worker-svc, repository: worker }
      prod: { account: prod, region: us-east-1, cluster: prod, repository: worker, rollbackAlarms: [worker-prod-queue-age] }
pipelines:
  web-pipeline: { account: tools, region: eu-west-1 }
  worker-pipeline: { account: prod, region: us-east-1 }
notices:
  organization: org
  regions: [eu-west-1, us-east-1]
`;
