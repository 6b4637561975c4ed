import { readDeployedConfig } from '../deployed-config';
import { readSettings } from '../settings';
import { createSlackHandler } from './slack-handler';

/** Lambda entry point for the Slack request URL (API Gateway HTTP API or a Function URL). */
const settings = readSettings();
export const handler = createSlackHandler(settings, readDeployedConfig(settings)).handler;
