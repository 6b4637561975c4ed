/** Layer rules from the house style: the edge knows Slack, intents know neither Slack nor AWS. */
module.exports = {
  forbidden: [
    {
      name: 'intents-no-sdk',
      comment: 'Intents are plain functions of (request, ports): no AWS SDK, no Slack SDK.',
      severity: 'error',
      from: { path: '^intents/' },
      to: { path: '(^|/)node_modules/(@aws-sdk|@slack|@smithy|aws-cdk-lib)/' },
    },
    {
      name: 'intents-not-bot',
      comment: 'Intents never import from the Slack edge.',
      severity: 'error',
      from: { path: '^intents/' },
      to: { path: '^bot/' },
    },
    {
      name: 'capabilities-apart',
      comment:
        'A capability (intents/<capability>/) keeps to its folder: it shares only the intent framework, the reply ' +
        'model and formatting at the root of intents/, never another capability.',
      severity: 'error',
      from: { path: '^intents/([^/]+)/' },
      to: { path: '^intents/[^/]+/', pathNot: ['^intents/$1/', '^intents/matcher/'] },
    },
    {
      name: 'slack-views-in-bot',
      comment: 'Only bot/ renders Slack messages: intents and integrations return structured replies.',
      severity: 'error',
      from: { path: '^(intents|integrations|infra)/' },
      to: { path: '^bot/views/' },
    },
    {
      name: 'integrations-not-intents-or-bot',
      comment: 'Adapters serve ports; they know nothing of intents or the edge.',
      severity: 'error',
      from: { path: '^integrations/' },
      to: { path: '^(intents|bot)/' },
    },
    {
      name: 'infra-no-adapters',
      comment:
        'Infra reads intent declarations, the configuration schema and its accounts, never adapters or the edge.',
      severity: 'error',
      from: { path: '^infra/' },
      to: { path: '^(integrations|bot)/', pathNot: '^bot/(accounts|config|deployed-config|settings|vocabulary)[.]ts$' },
    },
    {
      name: 'slack-function-declarations-only',
      comment:
        'The slack function (its Lambda entry and all it reaches, dynamic imports included) reads the intents as ' +
        'declared, never what they do: no handler or reaction, no deploy run, no worker or composition of it, no ' +
        'sandbox. The bundle test checks the built bundle the same way.',
      severity: 'error',
      from: { path: '^bot/lambdas/slack[.]lambda[.]ts$' },
      to: {
        path: [
          '^intents/index[.]ts$',
          '^intents/.+[.](handler|reaction)[.]ts$',
          '^intents/deploys/run/',
          '^bot/(worker/|deps[.]ts$|lambdas/slack-handler[.]ts$)',
          '^integrations/sandbox/',
        ],
        reachable: true,
      },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
