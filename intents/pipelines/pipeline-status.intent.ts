import { defineIntent } from '../define-intent';
import { pipelineCard, pipelinesOverview } from './pipeline-card';

/** CodePipeline status: one pipeline stage by stage, or an overview of all. */
export const pipelineStatus = defineIntent({
  name: 'PipelineStatus',
  description: 'Show CodePipeline status: all pipelines, or one stage by stage',
  usage: '/deploy pipelines [pipeline]',
  utterances: [
    'pipelines',
    'pipeline status',
    'show pipelines',
    'list pipelines',
    'show all pipelines',
    'are the pipelines green',
    'are all pipelines green',
    'any failing pipelines',
    'which pipelines are failing',
    'what pipelines are broken',
    'pipelines {pipeline}',
    'pipeline {pipeline}',
    'status of {pipeline}',
    'status of the {pipeline} pipeline',
    '{pipeline} pipeline status',
    'show the {pipeline} pipeline',
    'is the {pipeline} pipeline green',
    'is the {pipeline} pipeline red',
    'is the {pipeline} pipeline passing',
    'is the {pipeline} pipeline failing',
    'why is the {pipeline} pipeline failing',
    'why did the {pipeline} pipeline fail',
    'which stage failed in {pipeline}',
    'did the {pipeline} build fail',
    'did the {pipeline} build pass',
    'is the {pipeline} build broken',
    'how is the {pipeline} build',
    'what broke the {pipeline} build',
    'ci status',
    'is ci green',
    'build status',
    'is the build green',
    'are the builds passing',
  ],
  slots: {
    pipeline: { type: 'Pipeline', required: false, prompt: 'Which pipeline?' },
  },
  sideEffects: false,
  examples: {
    'is the web pipeline green': { pipeline: 'web-pipeline' },
    'status of the api pipeline': { pipeline: 'api-pipeline' },
    'did the worker build fail?': { pipeline: 'worker-pipeline' },
    pipelines: {},
  },
  async handle({ slots, actor }, ports) {
    return slots.pipeline === undefined ? pipelinesOverview(ports) : pipelineCard(slots.pipeline, ports, actor);
  },
});
