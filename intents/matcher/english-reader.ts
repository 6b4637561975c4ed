import model from 'wink-eng-lite-web-model';
import winkNLP from 'wink-nlp';
import type { EnglishReader, ReadWord } from './meaning';

/**
 * English as wink-nlp reads it (its lite web model): each word's normal form, lemma, part of speech and whether a
 * negation covers it. Built once, on first use (the model takes a few milliseconds to load); the worker's only.
 */
export function winkEnglishReader(): EnglishReader {
  let nlp: ReturnType<typeof winkNLP> | undefined;
  return (text: string): readonly ReadWord[] => {
    nlp ??= winkNLP(model, ['sbd', 'negation', 'pos']);
    const its = nlp.its;
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
