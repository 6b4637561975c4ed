/** Layer rules from the house style: the edge knows Slack, intents know neither Slack nor AWS. */
const SLACK_FUNCTION_MODULES = require('./infra/bundling/slack-function-modules.cjs');

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
      name: 'slack-function-edge-only',
      comment:
        'The slack function (its Lambda entry and all it reaches, type-only and dynamic imports included) loads ' +
        'only what infra/bundling/slack-function-modules.cjs allows: the edge and the intents as declared, never a ' +
        'handler, reaction, deploy run, policy that reads an account, worker or sandbox.',
      severity: 'error',
      from: { path: '^bot/lambdas/slack[.]lambda[.]ts$' },
      to: { path: '^(bot|intents|integrations)/', pathNot: SLACK_FUNCTION_MODULES, reachable: true },
    },
    {
      name: 'infra-declarations-only',
      comment:
        'Infra builds the Lex bot and the EventBridge rules from the intents and reactions as declared: nothing it ' +
        'reaches (type-only and dynamic imports included) is a handler, a deploy run or the worker.',
      severity: 'error',
      from: { path: '^infra/' },
      to: {
        path: '^intents/',
        pathNot: [
          '^intents/(declarations|reaction-declarations|define-intent|define-reaction|define-button|registry|reply|vocabulary|languages|loose|format|access|alarm-change)[.]ts$',
          '^intents/[^/]+/[^/]+[.](intent|languages|reaction|buttons?)[.]ts$',
          '^intents/utterances-by-language[.]ts$',
          '^intents/matcher/',
          '^intents/self/own-alarms[.]ts$',
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
