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

/** Splits cleaned text into tokens; punctuation separates words, dots and dashes inside a word stay. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  // An image digest (`sha256:…`) is one word; any other colon separates words.
  const words = text.includes(':')
    ? text.split(/[^A-Za-z0-9._\-+':]+/).flatMap((w) => (/^sha256:[0-9a-f]{64}$/i.test(w) ? [w] : w.split(':')))
    : text.split(/[^A-Za-z0-9._\-+']+/);
  for (const raw of words) {
    const original = raw.replace(/^[._\-+']+|[._\-+']+$/g, '').replace(/'s$/i, '');
    if (original === '') continue;
    tokens.push({ word: original.toLowerCase().replace(/'/g, ''), original });
  }
  return tokens;
}

/** Reduces a word to a stem shared by its plural (`deploys` → `deploy`); other suffixes stay meaningful. */
export function stem(word: string): string {
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us')) return word.slice(0, -1);
  return word;
}
