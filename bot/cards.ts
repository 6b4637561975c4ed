import { randomBytes } from 'node:crypto';
import type { Store } from '../integrations/store.port';
import { type Button, type ButtonPayload, buttonsOf, type Reply } from '../intents/reply';
import {
  type HomeView,
  type RenderOptions,
  renderHomeView,
  renderPages,
  renderReply,
  type SlackMessage,
} from './views/render';

/** How long each kind of button may be answered: a confirmation is for now, a Retry for the day. */
const LIFETIME_SECONDS: Record<ButtonPayload['kind'], number> = {
  choose: 60 * 60,
  confirm: 30 * 60,
  cancel: 30 * 60,
  'retry-stage': 24 * 60 * 60,
  // A finished deploy's Roll back stays for a week; a deploy's Cancel as long as a deploy may run. Approve and Reject
  // are answered by the request itself once it expires (30 minutes), which says so more plainly than the card.
  request: 7 * 24 * 60 * 60,
  'deploy-cancel': 24 * 60 * 60,
  approve: 24 * 60 * 60,
  reject: 24 * 60 * 60,
  gate: 24 * 60 * 60,
};

interface StoredCard {
  readonly createdAt: number;
  readonly buttons: readonly ButtonPayload[];
  /** The thread the card was posted in: a click continues there, whatever the click's payload says. */
  readonly threadTs?: string;
  /** Where it was posted (cards issued before this was kept have neither). */
  readonly channel?: string;
  readonly team?: string;
  /** A card in this person's Home tab: only they click it, from there; its answers go to `channel`, their DM. */
  readonly homeOf?: string;
}

/** Where a card is posted. */
export interface CardPlace {
  readonly threadTs?: string;
  /** The channel (and workspace) the card is posted in: a click from anywhere else is refused. */
  readonly channel?: string;
  readonly team?: string;
  /** A person's Home tab (its `channel` their DM with opsbot, where what the buttons start is answered). */
  readonly homeOf?: string;
}

/** Someone who opened opsbot's Home tab: their DM with opsbot (where its buttons are answered), and when. */
export interface HomeViewer {
  readonly userId: string;
  readonly teamId?: string;
  readonly channel: string;
  readonly openedAt: number;
}

export const homeViewerKey = (userId: string) => `home-viewer:${userId}`;

/** Why a click was not taken. */
export type Unopened = 'unknown' | 'expired' | 'wrong-kind' | 'elsewhere';

/**
 * The buttons opsbot issued, kept in the Store. A button carries only an opaque id (`<card id>.<position>`); what it
 * asks — the intent, its slots, who asked, the pipeline to retry — is read back from what opsbot stored when it
 * posted the card, never from the click. A value that matches no stored card, or one past its lifetime, opens nothing.
 */
export class IssuedButtons {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /** Stores the reply's buttons (one write per message) and renders it, paged, with their ids as values. */
  async render(reply: Reply, place: CardPlace = {}): Promise<SlackMessage[]> {
    return renderPages(reply, await this.issue(reply, place));
  }

  /** The same, as exactly one message (a slash command's acknowledgement). */
  async renderOne(reply: Reply, place: CardPlace = {}): Promise<SlackMessage> {
    return renderReply(reply, await this.issue(reply, place));
  }

  /** The same, as a person's Home tab: its buttons answer that person's clicks from there, in their DM. */
  async renderHome(
    reply: Reply,
    place: CardPlace & { readonly homeOf: string; readonly channel: string },
  ): Promise<HomeView> {
    return renderHomeView(reply, await this.issue(reply, place));
  }

  private async issue(reply: Reply, place: CardPlace): Promise<RenderOptions> {
    const buttons = buttonsOf(reply);
    if (buttons.length === 0) return {};
    const id = randomBytes(16).toString('base64url');
    const card: StoredCard = {
      createdAt: this.now(),
      buttons: buttons.map((b) => b.payload),
      ...(place.threadTs !== undefined && { threadTs: place.threadTs }),
      ...(place.channel !== undefined && place.channel !== '' && { channel: place.channel }),
      ...(place.team !== undefined && place.team !== '' && { team: place.team }),
      ...(place.homeOf !== undefined && { homeOf: place.homeOf }),
    };
    // Kept a day past its lifetime, so a late click is told it expired rather than that it is unknown.
    const ttl = Math.max(...buttons.map((b) => LIFETIME_SECONDS[b.payload.kind])) + 24 * 60 * 60;
    await this.store.put(cardKey(id), card, ttl);
    return { buttonValue: (_button: Button, position: number) => `${id}.${position}` };
  }

  /** What a clicked button asks, if opsbot issued it, it is of this kind and still answerable. */
  async open<K extends ButtonPayload['kind']>(
    kind: K,
    value: string | undefined,
    /**
     * Where the click came from, as Slack says: it must be where the card was posted. A click in a Home tab has no
     * channel: it names the person whose Home it is.
     */
    from: { readonly channel?: string; readonly team?: string; readonly home?: string } = {},
  ): Promise<
    | { ok: true; payload: Extract<ButtonPayload, { kind: K }>; cardId: string; threadTs?: string; channel?: string }
    | { ok: false; why: Unopened }
  > {
    // A Home tab's tables hold hundreds of buttons: a position has up to four digits.
    const match = /^([A-Za-z0-9_-]{22})\.(\d{1,4})$/.exec(value ?? '');
    if (match === null) return { ok: false, why: 'unknown' };
    const [, cardId, position] = match as unknown as [string, string, string];
    const card = await this.store.get<StoredCard>(cardKey(cardId));
    const payload = card?.buttons[Number(position)];
    if (card === undefined || payload === undefined) return { ok: false, why: 'unknown' };
    if (payload.kind !== kind) return { ok: false, why: 'wrong-kind' };
    if (this.now() - card.createdAt > LIFETIME_SECONDS[payload.kind] * 1000) return { ok: false, why: 'expired' };
    // A card answers where it was posted: a click claiming another channel, workspace or Home is not its click.
    const place =
      card.homeOf !== undefined
        ? from.home === card.homeOf
        : from.home === undefined && (card.channel === undefined || from.channel === card.channel);
    if (!place || (card.team !== undefined && from.team !== card.team)) return { ok: false, why: 'elsewhere' };
    return {
      ok: true,
      payload: payload as Extract<ButtonPayload, { kind: K }>,
      cardId,
      ...(card.threadTs !== undefined && { threadTs: card.threadTs }),
      ...(card.channel !== undefined && { channel: card.channel }),
    };
  }
}

function cardKey(id: string): string {
  return `card:${id}`;
}
