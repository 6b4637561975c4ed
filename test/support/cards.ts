import type { StandInMessage } from '../../integrations/slack/stand-in';

/** A card's heading, as Slack shows it above the card. */
export function heading(message: StandInMessage | undefined): string | undefined {
  const header = (message?.blocks ?? []).find((b) => (b as { type?: string }).type === 'header');
  return (header as { text?: { text?: string } } | undefined)?.text?.text;
}

/** The labels of a card's buttons: what a person can still press. */
export function buttonsOf(message: StandInMessage | undefined): string[] {
  return (message?.blocks ?? [])
    .flatMap(
      (b) => ((b as { elements?: unknown[] }).elements ?? []) as Array<{ type?: string; text?: { text: string } }>,
    )
    .filter((e) => e.type === 'button')
    .map((e) => e.text?.text ?? '');
}
