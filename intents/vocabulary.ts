/**
 * The names people use for things: services, environments and pipelines with their aliases.
 * Built from configuration by the edge and handed to the matcher, the resolver and the Lex bot builder,
 * so intents never read configuration themselves.
 */
export interface NamedThing {
  /** Canonical name, as configured (`web`, `prod`, `api-pipeline`). */
  readonly name: string;
  /** Other names people use for it (`frontend`, `production`). */
  readonly aliases: readonly string[];
}

export interface PipelineName extends NamedThing {
  /** The service this pipeline builds, when configured: its names find the pipeline too. */
  readonly service?: string;
}

export interface Vocabulary {
  readonly services: readonly NamedThing[];
  readonly environments: readonly NamedThing[];
  readonly pipelines: readonly PipelineName[];
}

/** The slot types intents may declare. `Version` is free text (an image tag). */
export type SlotType = 'Service' | 'Environment' | 'Pipeline' | 'Version';

/** The configured values of a slot type, for prompts and "did you mean" suggestions. */
export function namesOf(vocabulary: Vocabulary, type: SlotType): readonly string[] {
  switch (type) {
    case 'Service':
      return vocabulary.services.map((s) => s.name);
    case 'Environment':
      return vocabulary.environments.map((e) => e.name);
    case 'Pipeline':
      return vocabulary.pipelines.map((p) => p.name);
    case 'Version':
      return [];
  }
}
