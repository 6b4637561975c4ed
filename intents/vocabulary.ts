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
 * Words in the other languages for service names that are everyday words: a service named, or aliased, any of
 * `names` gets `words`, so "프론트엔드 운영 배포 되돌려줘" finds the service aliased `frontend`. Korean writes these
 * names in Hangul as often as in Latin letters.
 */
export const SERVICE_WORDS: ReadonlyArray<{ readonly names: readonly string[]; readonly words: WordsByLanguage }> = [
  { names: ['frontend', 'front-end', 'front'], words: { ko: ['프론트엔드', '프론트', '프런트엔드'] } },
  { names: ['backend', 'back-end'], words: { ko: ['백엔드'] } },
  { names: ['web', 'website'], words: { ko: ['웹', '웹사이트'], es: ['sitio web'], de: ['webseite', 'website'] } },
  { names: ['worker', 'workers'], words: { ko: ['워커'] } },
  {
    names: ['payments', 'payment', 'billing'],
    words: { ko: ['결제', '빌링'], es: ['pagos', 'facturación', 'facturacion'], de: ['zahlungen', 'abrechnung'] },
  },
];

/**
 * The vocabulary with each environment's and service's words in the other languages: those of every
 * {@link ENVIRONMENT_WORDS} or {@link SERVICE_WORDS} group its name or one of its aliases is in, after any words it
 * already has. Nothing else changes.
 * @example
 * withLanguageWords({ ...vocabulary, environments: [{ name: 'prod', aliases: [] }] }).environments[0]?.words?.ko
 * // ['프로덕션', '운영', '상용', '운영계']
 */
export function withLanguageWords(vocabulary: Vocabulary): Vocabulary {
  return {
    ...vocabulary,
    services: withWordsOf(vocabulary.services, SERVICE_WORDS),
    environments: withWordsOf(vocabulary.environments, ENVIRONMENT_WORDS),
  };
}

type WordGroups = ReadonlyArray<{ readonly names: readonly string[]; readonly words: WordsByLanguage }>;

/** Each thing with the words of the groups it is in; a group two things are in names neither. */
function withWordsOf<T extends NamedThing>(things: readonly T[], groups: WordGroups): T[] {
  const lowerNames = (thing: T) => new Set([thing.name, ...thing.aliases].map((n) => n.toLowerCase()));
  const inGroup = (thing: T, group: WordGroups[number]) => group.names.some((n) => lowerNames(thing).has(n));
  const unambiguous = groups.filter((g) => things.filter((t) => inGroup(t, g)).length === 1);
  return things.map((thing) =>
    withWords(
      thing,
      unambiguous.filter((g) => inGroup(thing, g)),
    ),
  );
}

function withWords<T extends NamedThing>(thing: T, matching: WordGroups): T {
  if (matching.length === 0) return thing;
  const words: Partial<Record<OtherLanguage, readonly string[]>> = {};
  for (const language of OTHER_LANGUAGES) {
    const all = [thing.words?.[language] ?? [], ...matching.map((g) => g.words[language] ?? [])].flat();
    if (all.length > 0) words[language] = [...new Set(all)];
  }
  return { ...thing, words };
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
