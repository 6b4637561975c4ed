import type { EnglishReader, ReadWord } from './meaning';

/**
 * English as wink-nlp reads it (its lite web model): each word's normal form, lemma, part of speech and whether a
 * negation covers it. Loaded when first needed (the model is megabytes: in the worker's bundle it is a chunk of its
 * own, read by the first message that could become an action, not by every cold start).
 */
export async function loadWinkEnglishReader(): Promise<EnglishReader> {
  const [{ default: winkNLP }, { default: model }] = await Promise.all([
    import('wink-nlp'),
    import('wink-eng-lite-web-model'),
  ]);
  const nlp = winkNLP(model, ['sbd', 'negation', 'pos']);
  const its = nlp.its;
  return (text: string): readonly ReadWord[] => {
    const tokens = nlp.readDoc(text).tokens();
    const normals = tokens.out(its.normal) as string[];
    const lemmas = tokens.out(its.lemma as never) as unknown as string[];
    const pos = tokens.out(its.pos) as string[];
    const negated = tokens.out(its.negationFlag) as unknown as boolean[];
    return normals.map((normal, i) => ({
      normal,
      lemma: lemmas[i] ?? normal,
      pos: pos[i] ?? 'X',
      negated: negated[i] === true,
    }));
  };
}
