import { OTHER_LANGUAGES, type OtherLanguage, type WordsByLanguage } from './languages';

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
  /** Its names in the other languages opsbot understands (`프로덕션`, `producción`), by language. */
  readonly words?: WordsByLanguage;
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

/** The spans of time `Period` resolves to (besides `<n>-days`), each with the ways people say it, in each language. */
export const PERIODS: ReadonlyArray<NamedThing> = [
  { name: 'today', aliases: [], words: { ko: ['오늘', '금일'], es: ['hoy'], de: ['heute'] } },
  { name: 'tomorrow', aliases: ['tmrw'], words: { ko: ['내일', '낼'], es: ['mañana', 'manana'], de: ['morgen'] } },
  {
    name: 'this-week',
    aliases: ['this week', 'the week', 'week'],
    words: { ko: ['이번 주', '이번주', '금주'], es: ['esta semana'], de: ['diese woche', 'dieser woche'] },
  },
  {
    name: 'next-week',
    aliases: ['next week', 'the coming week'],
    words: {
      ko: ['다음 주', '다음주', '차주'],
      es: ['la próxima semana', 'la proxima semana', 'próxima semana', 'la semana que viene'],
      de: ['nächste woche', 'nächster woche', 'naechste woche', 'kommende woche'],
    },
  },
  {
    name: 'this-month',
    aliases: ['this month', 'month'],
    words: { ko: ['이번 달', '이번달', '금월'], es: ['este mes'], de: ['diesen monat', 'diesem monat'] },
  },
  {
    name: 'next-month',
    aliases: ['next month', 'the coming month'],
    words: {
      ko: ['다음 달', '다음달'],
      es: ['el próximo mes', 'el proximo mes', 'próximo mes', 'el mes que viene'],
      de: ['nächsten monat', 'nächster monat', 'naechsten monat', 'kommenden monat'],
    },
  },
];

/**
 * Words in the other languages for well-known environment names: an environment named, or aliased, any of `names`
 * gets `words` ({@link withLanguageWords}), so "프로덕션에 배포해줘" and "despliega en producción" find `prod`.
 */
export const ENVIRONMENT_WORDS: ReadonlyArray<{ readonly names: readonly string[]; readonly words: WordsByLanguage }> =
  [
    {
      names: ['prod', 'production', 'prd', 'live'],
      words: {
        ko: ['프로덕션', '운영', '상용', '운영계'],
        es: ['producción', 'produccion'],
        de: ['produktion', 'produktiv', 'produktivumgebung'],
      },
    },
    {
      names: ['staging', 'stage', 'stg'],
      words: { ko: ['스테이징', '스테이지'], es: ['staging', 'preproducción', 'preproduccion'], de: ['staging'] },
    },
    { names: ['dev', 'development'], words: { ko: ['개발', '개발계'], es: ['desarrollo'], de: ['entwicklung'] } },
  ];

/**
 * The vocabulary with each environment's words in the other languages: those of every {@link ENVIRONMENT_WORDS}
 * group its name or one of its aliases is in, after any words it already has. Nothing else changes.
 * @example
 * withLanguageWords({ ...vocabulary, environments: [{ name: 'prod', aliases: [] }] }).environments[0]?.words?.ko
 * // ['프로덕션', '운영', '상용', '운영계']
 */
export function withLanguageWords(vocabulary: Vocabulary): Vocabulary {
  const environments = vocabulary.environments.map((environment) => {
    const names = new Set([environment.name, ...environment.aliases].map((n) => n.toLowerCase()));
    const groups = ENVIRONMENT_WORDS.filter((g) => g.names.some((n) => names.has(n)));
    if (groups.length === 0) return environment;
    const words: Partial<Record<OtherLanguage, readonly string[]>> = {};
    for (const language of OTHER_LANGUAGES) {
      const all = [environment.words?.[language] ?? [], ...groups.map((g) => g.words[language] ?? [])].flat();
      if (all.length > 0) words[language] = [...new Set(all)];
    }
    return { ...environment, words };
  });
  return { ...vocabulary, environments };
}

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
