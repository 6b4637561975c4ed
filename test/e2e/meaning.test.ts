import { buttonsOf } from '../support/cards';
import { allText, type Harness, harness, mention, slash, unescaped } from '../support/harness';

/** What opsbot answered last, as a person reads it. */
function lastAnswer(h: Harness): string {
  return JSON.stringify(h.bot().at(-1)?.blocks ?? h.bot().at(-1)?.text ?? '');
}

describe('a message is read for its meaning before anything is planned', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('declines a negated request: no confirmation card, no deploy', async () => {
    // Act
    await h.sendAndSettle(mention("don't deploy api to prod yet").event);

    // Assess
    const answer = lastAnswer(h);
    expect(answer).toContain('nothing to do');
    expect(answer).toContain('deploy api prod');
    expect(h.bot().some((m) => m.text.startsWith('Confirm'))).toBe(false);
  });

  it('says it cannot read a slash-command question it could only place loosely as a change, and starts none', async () => {
    // Act: names and a version, asked, with no verb; the acknowledgement cannot ask it back.
    const { ack } = await slash(h, 'are web v1.2.3 and prod ready?');

    // Assess
    expect(allText(ack as NonNullable<typeof ack>)).toContain("I couldn't read");
    expect(h.bot().some((m) => allText(m).includes('Deploy *web*'))).toBe(false);
  });

  it('answers a slash-command question about where a version runs with where it runs, and starts nothing', async () => {
    // Act
    const { ack } = await slash(h, 'is web v1.2.3 on prod?');

    // Assess
    expect(unescaped(allText(ack as NonNullable<typeof ack>))).toMatch(
      /\*web\* `v1\.2\.3` runs nowhere: prod \(v[\d.]+\)/,
    );
    expect(h.bot().some((m) => allText(m).includes('Deploy *web*'))).toBe(false);
  });

  it('answers a message in a language it does not read with the ones it does', async () => {
    // Act
    await h.sendAndSettle(mention("déploie api en prod s'il te plaît, c'est urgent").event);

    // Assess
    const answer = lastAnswer(h);
    expect(answer).toContain('French');
    expect(answer).toContain('Korean (한국어)');
  });

  it('asks "did you mean …?" for an action read through a typo, with a button that does it and a Cancel', async () => {
    // Act
    await h.sendAndSettle(mention('roll bak api prod').event);

    // Assess
    const last = h.bot().at(-1);
    expect(lastAnswer(h)).toContain('Did you mean');
    expect(buttonsOf(last)).toEqual(['Yes: rollback api prod', 'Cancel']);
  });

  it('understands a Korean request with English names', async () => {
    // Act
    await h.sendAndSettle(mention('api를 staging에 배포해줘').event);

    // Assess: the deploy's question for a version, as for the same request in English
    expect(lastAnswer(h)).toContain('Which version');
  });
});
