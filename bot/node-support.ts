/**
 * opsbot runs on Node.js 20 and later (`engines`); in Lambda it runs on the Node.js 24 runtime. The AWS SDK warns on
 * Node 20 that its releases from January 2027 will need Node 22 — releases the lockfile does not install — so the
 * notice is silenced deliberately, where opsbot starts (the local server, the CLI, tests, the benchmark), unless the
 * environment says otherwise.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
