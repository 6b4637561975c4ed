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
  /** The configured AWS accounts: their names, with their ids as aliases. */
  readonly accounts?: readonly NamedThing[];
}

/**
 * The slot types intents may declare. `Version` is free text (an image tag); `Period` a span of time as people say
 * it ("tomorrow", "this week", "next 3 days"), resolved to one of `PERIODS` or `<n>-days`.
 */
export type SlotType = 'Service' | 'Environment' | 'Pipeline' | 'Version' | 'Account' | 'Period';

/** The spans of time `Period` resolves to (besides `<n>-days`), each with the ways people say it. */
export const PERIODS: ReadonlyArray<NamedThing> = [
  { name: 'today', aliases: [] },
  { name: 'tomorrow', aliases: ['tmrw'] },
  { name: 'this-week', aliases: ['this week', 'the week', 'week'] },
  { name: 'next-week', aliases: ['next week', 'the coming week'] },
  { name: 'this-month', aliases: ['this month', 'month'] },
  { name: 'next-month', aliases: ['next month', 'the coming month'] },
];

/** The configured values of a slot type, for prompts and "did you mean" suggestions. */
export function namesOf(vocabulary: Vocabulary, type: SlotType): readonly string[] {
  switch (type) {
    case 'Service':
      return vocabulary.services.map((s) => s.name);
    case 'Environment':
      return vocabulary.environments.map((e) => e.name);
    case 'Pipeline':
      return vocabulary.pipelines.map((p) => p.name);
    case 'Account':
      return (vocabulary.accounts ?? []).map((a) => a.name);
    case 'Period':
      return PERIODS.map((p) => p.name.replace('-', ' '));
    case 'Version':
      return [];
  }
}
