/**
 * The Lambda client and the one command opsbot sends with it (the worker hand-over), named rather than imported
 * whole: the slack function's bundle then carries only what they need of `@aws-sdk/client-lambda`, loaded on
 * first use through a dynamic import of this module.
 */
export { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
