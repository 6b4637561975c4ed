import { array, looseObject, nullable, oneOf, optional, string } from '../../bot/edge/shape';

/** Values of every kind JSON or a form can produce, and a few it cannot. */
const anything: readonly unknown[] = [undefined, null, 0, Number.NaN, true, '', 'x', [], ['x'], {}, { id: 'x' }];

describe('the edge’s payload checks', () => {
  it('takes a string only when it is a primitive within its lengths that the pattern matches', () => {
    // Prepare
    const id = string({ pattern: /^[A-Z0-9]{2,32}$/ });
    const challenge = string({ min: 1, max: 3 });
    const everyOther = string({ pattern: /a/g });

    // Act
    const ids = ['U1', 'U'.repeat(32), 'U'.repeat(33), 'u1', 'U1\n', 12, new String('U1'), null].map(id);
    const challenges = ['', 'a', 'abc', 'abcd', '😀😀'].map(challenge);
    const global = ['a', 'a', 'a'].map(everyOther);

    // Assess
    expect(ids).toEqual([true, true, false, false, false, false, false, false]);
    expect(challenges).toEqual([false, true, true, false, false]);
    expect(global).toEqual([true, true, true]);
  });

  it('takes one of the listed values, and undefined or null only when made optional or nullable', () => {
    // Prepare
    const kind = oneOf('app_mention', 'message');
    const team = optional(nullable(string()));

    // Act
    const kinds = ['message', 'app_mention', 'Message', ['message'], { toString: () => 'message' }].map(kind);
    const teams = [undefined, null, 'T1', 1, []].map(team);
    const required = [undefined, null].map(string());
    const onlyOptional = [undefined, null].map(optional(string()));
    const onlyNullable = [undefined, null].map(nullable(string()));

    // Assess
    expect(kinds).toEqual([true, true, false, false, false]);
    expect(teams).toEqual([true, true, true, false, false]);
    expect(required).toEqual([false, false]);
    expect(onlyOptional).toEqual([true, false]);
    expect(onlyNullable).toEqual([false, true]);
  });

  it('takes an object whose named fields pass, whatever else it holds, and nothing that is not an object', () => {
    // Prepare
    const user = looseObject({ id: string({ max: 4 }), name: optional(string()) });

    // Act
    const objects = [
      { id: 'U1' },
      { id: 'U1', name: 'alice', extra: [[[{}]]], __proto__x: 1 },
      { id: 'U1', name: null },
      { name: 'alice' },
      { id: 'U12345' },
      Object.assign(Object.create(null), { id: 'U1' }),
      JSON.parse('{"__proto__":{"id":"U1"}}'),
      [{ id: 'U1' }],
      Object.assign([], { id: 'U1' }),
    ].map(user);
    const others = anything.filter((value) => typeof value !== 'object' || value === null).map(user);

    // Assess
    expect(objects).toEqual([true, true, false, false, false, true, false, false, false]);
    expect(others).toEqual(others.map(() => false));
    expect(({} as Record<string, unknown>).id).toBeUndefined();
  });

  it('takes a list within its lengths whose every item passes, counting before it looks at any item', () => {
    // Prepare
    let looked = 0;
    const item = (value: unknown): value is string => {
      looked += 1;
      return typeof value === 'string';
    };
    const actions = array(item, { min: 1, max: 3 });

    // Act
    const lists = [[], ['a'], ['a', 'b', 'c'], ['a', 'b', 'c', 'd'], ['a', 1], [null], { 0: 'a', length: 1 }, 'a'].map(
      actions,
    );
    looked = 0;
    const tooLong = actions(Array.from({ length: 100_000 }, () => 'a'));

    // Assess
    expect(lists).toEqual([false, true, true, false, false, false, false, false]);
    expect(tooLong).toBe(false);
    expect(looked).toBe(0);
  });

  it('never throws, whatever it is handed', () => {
    // Prepare
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const payload = looseObject({
      type: oneOf('block_actions'),
      user: looseObject({ id: string({ pattern: /^U/ }) }),
      team: optional(nullable(looseObject({ id: optional(string()) }))),
      actions: array(looseObject({ value: optional(string({ max: 10 })) }), { min: 1, max: 25 }),
    });
    const values = [...anything, deep, { type: 'block_actions', user: deep, actions: deep }, Object.create(null)];

    // Act
    const results = values.map((value) => payload(value));

    // Assess
    expect(results).toEqual(values.map(() => false));
  });
});
