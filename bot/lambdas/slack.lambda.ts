import { loadConfig, readSettings } from '../config';
import { createSlackHandler } from './slack-handler';

/** Lambda entry point for the Slack request URL (API Gateway HTTP API or a Function URL). */
const settings = readSettings();
export const handler = createSlackHandler(settings, loadConfig(settings).config).handler;
