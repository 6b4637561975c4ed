import {
  LexRuntimeV2Client,
  RecognizeTextCommand,
  type RecognizeTextCommandOutput,
  ThrottlingException,
} from '@aws-sdk/client-lex-runtime-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { lexSessionId } from '../../bot/worker/interpreter';
import { LexNlu, readRecognizeText } from '../../integrations/aws/lex.adapter';
import { describeShared, sharedJson } from '../support/fixtures';
import { ALICE, allText, CHANNEL, type Harness, harness, mention, threadReply } from '../support/harness';

const BOT = { botId: 'BOTID12345', botAliasId: 'ALIASID123', localeId: 'en_US' };

type Slots = Record<string, { original: string; interpreted?: string }>;

/** A RecognizeText response as Lex V2 sends it. */
function lexSays(
  intent: string,
  slots: Slots,
  dialog: { type: string; slotToElicit?: string; prompt?: string },
): RecognizeTextCommandOutput {
  const lexSlots = Object.fromEntries(
    Object.entries(slots).map(([k, v]) => [
      k,
      {
        value: {
          originalValue: v.original,
          interpretedValue: v.interpreted ?? v.original,
          resolvedValues: v.interpreted ? [v.interpreted] : [],
        },
      },
    ]),
  );
  const state =
    dialog.type === 'ElicitSlot'
      ? 'InProgress'
      : intent === 'FallbackIntent'
        ? 'ReadyForFulfillment'
        : 'ReadyForFulfillment';
  return {
    $metadata: { httpStatusCode: 200 },
    sessionId: 'ignored',
    interpretations: [
      { intent: { name: intent, slots: lexSlots, state, confirmationState: 'None' }, nluConfidence: { score: 0.93 } },
    ],
    sessionState: {
      dialogAction: {
        type: dialog.type as 'Close',
        ...(dialog.slotToElicit !== undefined && { slotToElicit: dialog.slotToElicit }),
      },
      intent: { name: intent, slots: lexSlots, state, confirmationState: 'None' },
    },
    ...(dialog.prompt !== undefined && { messages: [{ content: dialog.prompt, contentType: 'PlainText' }] }),
  } as RecognizeTextCommandOutput;
}

describeShared('reading RecognizeText responses published by AWS', () => {
  it('reads an ElicitSlot turn: the slot to elicit and Lex’s prompt', () => {
    const r = readRecognizeText(sharedJson('lexv2-RecognizeText-response__aws-docs__turn1-ElicitSlot-FlowerType.json'));
    expect(r).toEqual({
      intent: 'OrderFlowers',
      slots: {},
      state: 'elicit',
      slotToElicit: 'FlowerType',
      prompt: 'What type of flowers would you like to order?',
      confidence: 0.95,
    });
  });

  it('reads a fulfilled turn with the values as typed and as Lex read them', () => {
    const r = readRecognizeText(sharedJson('lexv2-RecognizeText-response__aws-docs__turn5-Close-Fulfilled.json'));
    expect(r.state).toBe('ready');
    expect(r.slots.PickupDate).toEqual({ original: 'next monday', interpreted: '2021-01-04' });
  });

  it('reads a captured FallbackIntent and a Failed intent', () => {
    expect(
      readRecognizeText(sharedJson('lexv2-RecognizeText-response__captured-jsv3-Amplify__FallbackIntent-Close.json'))
        .intent,
    ).toBe('FallbackIntent');
    expect(
      readRecognizeText(sharedJson('lexv2-RecognizeText-response__captured-python__Failed-intent.json')).state,
    ).toBe('failed');
  });
});

describe('mentions through Lex V2 (RecognizeText mocked), answered through the real handler', () => {
  const lex = mockClient(LexRuntimeV2Client);
  let h: Harness;

  beforeEach(async () => {
    lex.reset();
    h = await harness({ nlu: new LexNlu(new LexRuntimeV2Client({ region: 'eu-west-1' }), BOT) });
  });
  afterEach(async () => {
    await h.close();
  });

  const calls = () => lex.commandCalls(RecognizeTextCommand).map((c) => c.args[0].input);

  it('fulfils what Lex reads as ready, resolving the slot value to the configured name', async () => {
    // Prepare
    lex
      .on(RecognizeTextCommand)
      .resolves(lexSays('PipelineStatus', { pipeline: { original: 'frontend' } }, { type: 'Close' }));
    const { ts, event } = mention('is the *frontend* pipeline green?');

    // Act
    await h.sendAndSettle(event);

    // Assess
    const reply = h.bot().at(-1);
    expect(reply?.thread_ts).toBe(ts);
    expect(reply?.text).toMatch(/^web-pipeline/);
    const [input] = calls();
    expect(input).toMatchObject({ ...BOT, text: 'is the frontend pipeline green?' });
    expect(input?.sessionId).toBe(lexSessionId('T0LOCAL001', CHANNEL, ts, ALICE));
    expect(input?.sessionId).not.toContain(ALICE);
  });

  it('posts Lex’s prompt when it elicits a slot, and continues the same Lex session in the thread', async () => {
    // Prepare
    lex
      .on(RecognizeTextCommand)
      .resolvesOnce(
        lexSays(
          'Rollback',
          { service: { original: 'billing', interpreted: 'payments' } },
          { type: 'ElicitSlot', slotToElicit: 'environment', prompt: 'Which environment should I roll back?' },
        ),
      )
      .resolvesOnce(
        lexSays(
          'Rollback',
          {
            service: { original: 'billing', interpreted: 'payments' },
            environment: { original: 'production', interpreted: 'prod' },
          },
          { type: 'Close' },
        ),
      );
    const { ts, event } = mention('roll back billing');

    // Act
    await h.sendAndSettle(event);
    const prompt = h.bot().at(-1);
    await h.sendAndSettle(threadReply('production', ts));

    // Assess
    expect(prompt?.text).toBe('Which environment should I roll back?');
    expect(prompt?.thread_ts).toBe(ts);
    const card = h.bot().at(-1);
    expect(allText(card as NonNullable<typeof card>)).toContain('Roll back *payments* in *prod*?');
    const [first, second] = calls();
    expect(second?.sessionId).toBe(first?.sessionId);
    expect(second?.text).toBe('production');
  });

  it('starts a fresh Lex session in a new thread', async () => {
    // Prepare
    lex.on(RecognizeTextCommand).resolves(lexSays('Help', {}, { type: 'Close' }));

    // Act
    await h.sendAndSettle(mention('help').event);
    await h.sendAndSettle(mention('help').event);

    // Assess
    const [a, b] = calls();
    expect(a?.sessionId).not.toBe(b?.sessionId);
  });

  it('answers with the fallback when Lex places nothing', async () => {
    // Prepare
    lex.on(RecognizeTextCommand).resolves(lexSays('FallbackIntent', {}, { type: 'Close' }));

    // Act
    await h.sendAndSettle(mention('what time is it in London').event);

    // Assess
    expect(h.bot().at(-1)?.text).toMatch(/^Sorry, I didn't understand that\./);
  });

  it('asks back what Lex placed nothing for and the local matcher reads by its shape', async () => {
    // Prepare
    lex.on(RecognizeTextCommand).resolves(lexSays('FallbackIntent', {}, { type: 'Close' }));

    // Act
    await h.sendAndSettle(mention('pls put a freeze on payments prod for the release window').event);

    // Assess: asked, not locked.
    const last = h.bot().at(-1) as NonNullable<ReturnType<Harness['bot']>[number]>;
    expect(allText(last)).toContain('Did you mean');
    expect(allText(last)).toContain('lock payments prod');
    expect(allText(last)).not.toContain('Locked');
  });

  it('uses the local matcher when Lex throttles, and logs it', async () => {
    // Prepare
    lex.on(RecognizeTextCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));

    // Act
    await h.sendAndSettle(mention('ship billing v1.7.3 to staging').event);

    // Assess
    expect(allText(h.bot().at(-1) as NonNullable<ReturnType<Harness['bot']>[number]>)).toContain(
      'Deploy *payments* `v1.7.3` to *staging*?',
    );
    expect(h.log.entries.find((e) => e.message === 'nlu.lex_failed_using_matcher')?.extra).toMatchObject({
      error: 'ThrottlingException',
    });
  });

  it('says which names it knows when Lex passes a value that names nothing configured', async () => {
    // Prepare
    lex
      .on(RecognizeTextCommand)
      .resolves(
        lexSays('Deploy', { service: { original: 'webb-app' }, environment: { original: 'prod' } }, { type: 'Close' }),
      );

    // Act
    await h.sendAndSettle(mention('deploy webb-app to prod').event);

    // Assess
    const reply = h.bot().at(-1);
    expect(reply?.text).toBe("I don't know a service called “webb-app” — did you mean web?");
    expect(allText(reply as NonNullable<typeof reply>)).toContain('Known services: api, web, payments, worker.');
  });
});
