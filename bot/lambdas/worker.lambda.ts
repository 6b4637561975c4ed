import { readDeployedConfig } from '../deployed-config';
import { createDeps } from '../deps';
import type { Job } from '../jobs';
import { readSettings } from '../settings';
import { runJob } from '../worker/dispatcher';

/** Lambda entry point for the worker: jobs sent by the Slack function's async invokes. */
const settings = readSettings();
const deps = createDeps(settings, readDeployedConfig(settings));

export const handler = async (job: Job): Promise<void> => {
  await runJob(job, deps.worker);
};
