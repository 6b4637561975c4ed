import { InProcessJobQueue } from '../../integrations/sandbox/in-process-jobs';
import { MemoryStore } from '../../integrations/sandbox/memory-store';

describe('memory store', () => {
  it('writes once with putIfAbsent and treats expired items as absent', async () => {
    // Prepare
    let now = 1_000_000;
    const store = new MemoryStore(() => now);

    // Act
    const first = await store.putIfAbsent('k', { a: 1 }, 60);
    const second = await store.putIfAbsent('k', { a: 2 }, 60);
    const during = await store.get('k');
    now += 61_000;
    const after = await store.get('k');
    const again = await store.putIfAbsent('k', { a: 3 }, 60);

    // Assess
    expect([first, second, again]).toEqual([true, false, true]);
    expect(during).toEqual({ a: 1 });
    expect(after).toBeUndefined();
  });

  it('returns copies, not the stored object', async () => {
    const store = new MemoryStore();
    const value = { list: [1] };
    await store.put('k', value, 60);
    value.list.push(2);
    expect(await store.get('k')).toEqual({ list: [1] });
  });
});

describe('in-process job queue', () => {
  it('runs jobs after the sender returns, and reports failures without losing later jobs', async () => {
    // Prepare
    const ran: number[] = [];
    const failures: unknown[] = [];
    const queue = new InProcessJobQueue<{ n: number }>(
      async ({ n }) => {
        if (n === 2) throw new Error('boom');
        ran.push(n);
      },
      (error) => failures.push(error),
    );

    // Act
    await queue.send({ n: 1 });
    await queue.send({ n: 2 });
    await queue.send({ n: 3 });
    const beforeDrain = [...ran];
    await queue.drain();

    // Assess
    expect(beforeDrain).toEqual([]);
    expect(ran).toEqual([1, 3]);
    expect(failures).toHaveLength(1);
  });
});

describe('file store (the embedded default of npm start)', () => {
  it('survives a restart: a new store on the same file sees what the old one wrote', async () => {
    // Prepare
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { FileStore } = await import('../../integrations/sandbox/file-store');
    const path = join(mkdtempSync(join(tmpdir(), 'opsbot-store-')), 'data', 'store.json');
    let now = 1_000_000;
    const before = new FileStore(path, () => now);
    await before.putIfAbsent('delivery:Ev1', 1, 3600);
    await before.put('short', 'x', 10);

    // Act
    now += 11_000;
    const after = new FileStore(path, () => now);

    // Assess
    expect(await after.putIfAbsent('delivery:Ev1', 2, 3600)).toBe(false);
    expect(await after.get('short')).toBeUndefined();
  });
});
