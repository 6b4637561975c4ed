import { loadConfig, readSettings } from '../config';
import { createDeps } from '../deps';
import type { Job } from '../jobs';
import { runJob } from '../worker/dispatcher';

/** Lambda entry point for the worker: jobs sent by the Slack function's async invokes. */
const settings = readSettings();
const deps = createDeps(settings, loadConfig(settings).config);

export const handler = async (job: Job): Promise<void> => {
  await runJob(job, deps.worker);
};
