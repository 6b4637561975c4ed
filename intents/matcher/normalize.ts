/**
 * Cleans Slack message text for understanding: mentions, channel links, URLs with labels,
 * emoji shortcodes, formatting marks and HTML entities are normalised away.
 *
 * @example
 * cleanSlackText('<@U0OPSBOT01> deploy *web* to <#C1|prod> :rocket:', 'U0OPSBOT01') // 'deploy web to prod'
 */
export function cleanSlackText(text: string, botUserId?: string): string {
  let out = text;
  if (botUserId !== undefined) out = out.replaceAll(new RegExp(`<@${botUserId}(\\|[^>]*)?>`, 'g'), ' ');
  out = out
    .replace(/<@[UW][A-Z0-9]+(\|[^>]*)?>/g, ' ')
    .replace(/<#[CGD][A-Z0-9]+\|([^>]*)>/g, ' $1 ')
    .replace(/<#[CGD][A-Z0-9]+>/g, ' ')
    .replace(/<![^>]*>/g, ' ')
    .replace(/<(?:https?|mailto):[^>|]*\|([^>]*)>/g, ' $1 ')
    .replace(/<(?:https?|mailto):[^>]*>/g, ' ')
    .replace(/:[a-z0-9_+'-]+:/gi, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/[*_~`]+(?=\S)|(?<=\S)[*_~`]+/g, (mark, offset: number, whole: string) => {
      // Keep underscores inside words (snake_case names); drop formatting marks at word edges.
      const before = whole[offset - 1];
      const after = whole[offset + mark.length];
      const inside = before !== undefined && /\w/.test(before) && after !== undefined && /\w/.test(after);
      return inside ? mark : ' ';
    });
  return out.replace(/\s+/g, ' ').trim();
}

/** One word of an utterance: lower-cased for matching, with the original spelling kept for free text. */
export interface Token {
  readonly word: string;
  readonly original: string;
}

const HANGUL = /\p{Script=Hangul}/u;
/** A run of Hangul, or of anything else: "api를" is the name "api" and the particle "를". */
const SCRIPT_RUNS = /\p{Script=Hangul}+|[^\p{Script=Hangul}]+/gu;
/**
 * Korean particles written onto the word before them ("prod에", "api를", "스테이징에서"): split off, so the word is
 * read as itself. Longest first; a word keeps at least two syllables.
 */
const KOREAN_PARTICLES = [
  '에서는',
  '에서',
  '으로',
  '에게',
  '까지',
  '부터',
  '한테',
  '에는',
  '로',
  '에',
  '를',
  '을',
  '는',
  '은',
  '이',
  '가',
  '의',
  '도',
  '랑',
];

/**
 * A Korean word whose particle the tokenizer left on it, the word before being a single syllable ("달에" in "다음
 * 달에"): the word without it, if it ends in one.
 */
export function withoutParticle(word: string): string | undefined {
  if (!HANGUL.test(word)) return undefined;
  const particle = KOREAN_PARTICLES.find((p) => word.length > p.length && word.endsWith(p));
  return particle === undefined ? undefined : word.slice(0, -particle.length);
}

/** Lower case without accents (`producción` → `produccion`, `Grün` → `grun`); Hangul stays whole. */
function fold(word: string): string {
  const lower = word.toLowerCase();
  return /[\u00c0-\u024f]/.test(lower)
    ? lower
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .normalize('NFC')
    : lower;
}

/**
 * Splits cleaned text into tokens; punctuation separates words, dots and dashes inside a word stay. Words of any
 * language are kept (accents folded for matching); Hangul is split from Latin letters and digits, and Korean
 * particles from the word they follow.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  // An image digest (`sha256:…`) is one word; any other colon separates words.
  const words = text.includes(':')
    ? text.split(/[^\p{L}\p{N}._\-+':]+/u).flatMap((w) => (/^sha256:[0-9a-f]{64}$/i.test(w) ? [w] : w.split(':')))
    : text.split(/[^\p{L}\p{N}._\-+']+/u);
  for (const raw of words) {
    for (const run of HANGUL.test(raw) ? (raw.match(SCRIPT_RUNS) ?? []) : [raw]) {
      // "api's" is api; "what's" is "what is" (read as such by the matcher), not what.
      const trimmed = run.replace(/^[._\-+']+|[._\-+']+$/g, '');
      const original = /^(?:what|who|where|how|when)'s$/i.test(trimmed) ? trimmed : trimmed.replace(/'s$/i, '');
      if (original === '') continue;
      if (HANGUL.test(original)) {
        const particle = KOREAN_PARTICLES.find((p) => original.length >= p.length + 2 && original.endsWith(p));
        if (particle !== undefined) {
          const word = original.slice(0, -particle.length);
          tokens.push({ word, original: word }, { word: particle, original: particle });
          continue;
        }
      }
      tokens.push({ word: fold(original).replace(/'/g, ''), original });
    }
  }
  return tokens;
}

/**
 * Reduces a word to the stem its forms share: a plural (`deploys` → `deploy`), and the first six letters of a longer
 * word (`deployment`, `deploying` → `deploy`; `despliega`, `despliegue` → `despli`). A Korean word becomes its
 * first two syllables, where the verb or noun is (`배포해줘`, `배포해` → `배포`).
 */
export function stem(word: string): string {
  if (HANGUL.test(word)) return word.length > 2 ? word.slice(0, 2) : word;
  const singular =
    word.length > 3 && word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us') ? word.slice(0, -1) : word;
  return singular.length > 6 && /^[a-z\u00df]+$/.test(singular) ? singular.slice(0, 6) : singular;
}
