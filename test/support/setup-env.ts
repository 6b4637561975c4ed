import '../../bot/node-support';

// Tests never read the developer's shell: no real Slack token, no AWS profile, quiet logs.
for (const name of ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'OPSBOT_CONFIG', 'SLACK_API_URL']) {
  delete process.env[name];
}
process.env.AWS_REGION ??= 'eu-west-1';
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
