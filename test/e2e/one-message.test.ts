import type { HttpLambdaEvent } from '../../bot/edge/lambda-edge';
import { ALICE, type Harness, harness, JSON_TYPE } from '../support/harness';
import { eventBody, signedEvent } from '../support/slack';

/** A DM to opsbot that mentions it, as Slack delivers it twice: as app_mention and as message.im, two event ids. */
function deliveredTwice(text: string): [HttpLambdaEvent, HttpLambdaEvent] {
  const ts = `${Math.floor(Date.now() / 1000)}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  const message = { user: ALICE, text: `<@U0OPSBOT01> ${text}`, ts, channel: 'D0ALICE0001', event_ts: ts };
  return [
    signedEvent(eventBody({ type: 'app_mention', ...message }), JSON_TYPE),
    signedEvent(eventBody({ type: 'message', channel_type: 'im', ...message }), JSON_TYPE),
  ];
}

describe('one message delivered as two events', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('is understood and answered once', async () => {
    // Prepare
    const [asMention, asDirectMessage] = deliveredTwice('is the api pipeline green?');

    // Act
    const acks = [await h.send(asMention), await h.send(asDirectMessage)];
    await h.settle();

    // Assess: both acknowledged, one answer in the conversation
    expect(acks.map((a) => a.statusCode)).toEqual([200, 200]);
    expect(h.bot().filter((m) => m.channel === 'D0ALICE0001')).toHaveLength(1);
  });
});
