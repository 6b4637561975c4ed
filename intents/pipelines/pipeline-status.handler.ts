import { defineIntent } from '../define-intent';
import { pipelineCard, pipelinesOverview } from './pipeline-card';
import { pipelineStatusIntent } from './pipeline-status.intent';

/** A pipeline card, or the overview of every pipeline. */
export const pipelineStatus = defineIntent(pipelineStatusIntent, {
  async handle({ slots, actor }, ports) {
    return slots.pipeline === undefined ? pipelinesOverview(ports) : pipelineCard(slots.pipeline, ports, actor);
  },
});
