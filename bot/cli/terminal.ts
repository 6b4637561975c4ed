/**
 * Text from outside (a lock's reason, a freeze override, a name typed into Slack) printed to an operator's terminal:
 * control characters (C0, DEL, C1 — ESC sequences rewrite the screen, title and clipboard) and the bidirectional
 * overrides that reorder what is shown are printed escaped, visibly, never raw.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this module's purpose
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every unsafe character shown as `\xNN` (or `\u{NNNN}`). */
export function shownInTerminal(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** What `JSON.stringify` leaves raw in its strings (it escapes C0 itself; its own line breaks are layout). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this module's purpose
const UNSAFE_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** JSON for a terminal: as `JSON.stringify`, with DEL, C1 and the bidirectional overrides escaped too (`\uNNNN`). */
export function jsonForTerminal(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(
    UNSAFE_IN_JSON,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
