import { type Vocabulary, withLanguageWords } from '../intents/vocabulary';
import type { OpsbotConfig } from './config';

/**
 * The names the matcher, the resolver and the Lex bot know, from configuration; well-known environment names get
 * their words in the other languages (`prod`: 프로덕션, producción, Produktion).
 */
export function vocabularyOf(config: OpsbotConfig): Vocabulary {
  const serviceOfPipeline = new Map<string, string>();
  for (const [serviceName, service] of Object.entries(config.services)) {
    if (service.pipeline !== undefined) serviceOfPipeline.set(service.pipeline, serviceName);
  }
  return withLanguageWords({
    services: Object.entries(config.services).map(([n, s]) => ({ name: n, aliases: s.aliases })),
    environments: Object.entries(config.environments).map(([n, e]) => ({ name: n, aliases: e.aliases })),
    accounts: Object.entries(config.accounts).map(([n, a]) => ({ name: n, aliases: [a.id] })),
    pipelines: Object.keys(config.pipelines).map((n) => {
      const service = serviceOfPipeline.get(n);
      return { name: n, aliases: [], ...(service !== undefined && { service }) };
    }),
  });
}
