/**
 * The DynamoDB client, named rather than imported whole: the slack function's bundle then carries only what the
 * Store needs of `@aws-sdk/client-dynamodb`, loaded on first use through a dynamic import of this module.
 */
export { DynamoDBClient } from '@aws-sdk/client-dynamodb';
