/** The patterns of `slack-function-modules.cjs`: paths from the repository root. */
declare const patterns: readonly string[];
export = patterns;
