// What a request's words carry besides its slots, read where the words arrive (the slash command's acknowledgement,
// the worker): an admin's override of a freeze, and a lock's reason and end. Pure: no ports, no handlers.

/** `… override: hotfix for INC-42` → the request without it, and the override's reason. */
export function takeOverride(text: string): { readonly text: string; readonly override?: string } {
  const match = /\s+(?:--)?override\s*[:=]?\s+(.+)$/is.exec(text);
  if (match === null) return { text };
  const reason = (match[1] ?? '')
    .trim()
    .replace(/^["'“]|["'”]$/g, '')
    .slice(0, 200);
  return { text: text.slice(0, match.index), ...(reason !== '' && { override: reason }) };
}

/**
 * What a lock request says beyond the service and environment: its reason, and `until 15:00` (in the team's time
 * zone). `isName` tells the words that named the service or environment, which are not part of the reason.
 */
export function lockDetails(text: string, isName: (word: string) => boolean): { note?: string; until?: string } {
  const untilMatch = /\s*\buntil\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\b/i.exec(text);
  let until: string | undefined;
  if (untilMatch !== null) {
    let hours = Number(untilMatch[1]);
    const minutes = Number(untilMatch[2] ?? '0');
    const half = untilMatch[3]?.toLowerCase();
    if (half === 'pm' && hours < 12) hours += 12;
    if (half === 'am' && hours === 12) hours = 0;
    if (hours < 24 && minutes < 60) until = `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
  }
  const rest = (untilMatch === null ? text : text.slice(0, untilMatch.index)).trim().split(/\s+/);
  if (/^(lock|hold|freeze)$/i.test(rest[0] ?? '')) rest.shift();
  while (rest.length > 0 && (isName(rest[0] as string) || /^(in|on|for|the|of)$/i.test(rest[0] as string)))
    rest.shift();
  const note = rest
    .join(' ')
    .replace(/^(because|for|:|-)\s*/i, '')
    .slice(0, 200)
    .trim();
  return { ...(note !== '' && { note }), ...(until !== undefined && { until }) };
}
