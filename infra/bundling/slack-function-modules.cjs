/**
 * Every module of opsbot's own the slack function may load: its entry, the Slack edge, the intents as declared
 * (never what they do), the buttons' declarations, the matcher, the ports, and the few adapters its
 * acknowledgement uses (the Store, the hand-over, the secrets). An allowlist, so that a new import from the edge
 * is a decision: dependency-cruiser (`npm run lint`) checks what the entry reaches, type-only imports and dynamic
 * imports included, and the bundle test checks the built bundle's modules against the same list.
 */
module.exports = [
  '^bot/(accounts|app|cards|config|conversation|correlation|deployed-config|edge-deps|jobs|lazy-port|logger|rules|settings|slack-app|vocabulary)[.]ts$',
  '^bot/(edge|listeners|views)/[^/]+[.]ts$',
  '^bot/lambdas/(slack[.]lambda|slack-edge|secrets)[.]ts$',
  '^integrations/[^/]+[.]port[.]ts$',
  '^integrations/(claims|errors|store-audit)[.]ts$',
  '^integrations/aws/(call-ledger|call-limits|dynamodb-client|dynamodb-store[.]adapter|lambda-client|lambda-jobs[.]adapter|secrets-client)[.]ts$',
  '^integrations/slack/(block-limits|signing|web-api-people[.]adapter)[.]ts$',
  '^intents/(access|buttons|conversation[.]buttons|declarations|define-button|define-intent|format|languages|registry|reply|vocabulary)[.]ts$',
  '^intents/[^/]+/[^/]+[.](intent|buttons?)[.]ts$',
  // The matcher as the acknowledgement reads slash commands: not the meaning reader, wink-nlp or eld (the worker's).
  '^intents/matcher/(fuzzy|local-matcher|normalize|request-shapes|resolver|several|tables)[.]ts$',
  '^intents/help/help-reply[.]ts$',
  '^intents/deploys/request-words[.]ts$',
  '^intents/pipelines/retry[.]policy[.]ts$',
];
