import { lazyPort } from '../../bot/lazy-port';
import type { Pipelines } from '../../integrations/pipelines.port';

/** A port built by a factory that counts its builds and can be told to fail. */
function countedPort(failFirst = false) {
  const built = { count: 0 };
  const port = lazyPort<Pick<Pipelines, 'list'>>(async () => {
    built.count++;
    if (failFirst && built.count === 1) throw new Error('the adapter chunk could not be read');
    return { list: async () => [{ name: 'api-pipeline' }] as never };
  });
  return { port, built };
}

describe('a port built on its first call (the worker adapters in the slack function)', () => {
  it('is not built until called, then built once for calls made together', async () => {
    // Prepare
    const { port, built } = countedPort();
    const before = built.count;

    // Act
    const answers = await Promise.all([port.list(), port.list(), port.list()]);

    // Assess
    expect(before).toBe(0);
    expect(built.count).toBe(1);
    expect(answers.map((a) => a[0]?.name)).toEqual(['api-pipeline', 'api-pipeline', 'api-pipeline']);
  });

  it('tries the build again on the next call after a failed one', async () => {
    // Prepare
    const { port, built } = countedPort(true);

    // Act
    const first = await port.list().then(
      () => 'answered',
      (error: Error) => error.message,
    );
    const second = await port.list();

    // Assess
    expect(first).toBe('the adapter chunk could not be read');
    expect(second[0]?.name).toBe('api-pipeline');
    expect(built.count).toBe(2);
  });

  it('is not mistaken for a promise when awaited', async () => {
    // Prepare
    const { port, built } = countedPort();

    // Act
    const awaited = await Promise.race([
      Promise.resolve(port).then(() => 'settled'),
      new Promise((r) => setTimeout(() => r('hung'), 200)),
    ]);

    // Assess
    expect(awaited).toBe('settled');
    expect(built.count).toBe(0);
  });

  it('refuses, saying so, a call of something the port does not have', async () => {
    // Prepare
    const { port } = countedPort();

    // Act
    const outcome = await (port as unknown as { retryStage: () => Promise<void> }).retryStage().then(
      () => 'answered',
      (error: Error) => error.message,
    );

    // Assess
    expect(outcome).toBe('opsbot: retryStage is not a method of this port');
  });
});
