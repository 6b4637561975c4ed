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

describe('file store journal', () => {
  async function fresh() {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { FileStore } = await import('../../integrations/sandbox/file-store');
    const path = join(mkdtempSync(join(tmpdir(), 'opsbot-journal-')), 'store.jsonl');
    return { path, FileStore };
  }

  it('appends one line a change and compacts, so the file does not grow with every delivery', async () => {
    // Prepare
    const { readFileSync } = await import('node:fs');
    const { path, FileStore } = await fresh();
    let now = 1_000_000;
    const store = new FileStore(path, () => now);

    // Act
    for (let i = 0; i < 5000; i++) await store.put('conversation:T:C:1', { i }, 3600);
    for (let i = 0; i < 3000; i++) await store.putIfAbsent(`claim:delivery:Ev${i}`, 1, 60);
    now += 61_000;
    for (let i = 0; i < 1200; i++) await store.putIfAbsent(`claim:delivery:Later${i}`, 1, 60);
    const lines = readFileSync(path, 'utf8').trim().split('\n').length;
    const reopened = new FileStore(path, () => now);
    const afterRestart = readFileSync(path, 'utf8').trim().split('\n').length;

    // Assess: 9,201 changes, far fewer lines; a restart keeps the live items only.
    expect(lines).toBeLessThan(5000);
    expect(afterRestart).toBe(1201);
    expect(await reopened.get('conversation:T:C:1')).toEqual({ i: 4999 });
    expect(await reopened.putIfAbsent('claim:delivery:Later7', 2, 60)).toBe(false);
    expect(await reopened.get('claim:delivery:Ev7')).toBeUndefined();
  });

  it('stays small with ids that are all different and expire: compaction drops them from the file and memory', async () => {
    // Prepare
    const { readFileSync } = await import('node:fs');
    const { path, FileStore } = await fresh();
    let now = 1_000_000;
    const store = new FileStore(path, () => now);

    // Act: 20,000 deliveries over an hour, each remembered for a minute
    for (let i = 0; i < 20_000; i++) {
      now += 180;
      await store.putIfAbsent(`claim:delivery:Ev${i}`, 1, 60);
    }
    const lines = readFileSync(path, 'utf8').trim().split('\n').length;

    // Assess: about 333 ids are live at any time
    expect(lines).toBeLessThanOrEqual(2 * 1000 + 1);
    expect(await store.putIfAbsent('claim:delivery:Ev19999', 1, 60)).toBe(false);
  });

  it('stores a long key by its hash, and ignores a last line cut short by a crash', async () => {
    // Prepare
    const { appendFileSync, readFileSync } = await import('node:fs');
    const { path, FileStore } = await fresh();
    const store = new FileStore(path);
    const longKey = `delivery:${'E'.repeat(100_000)}`;

    // Act
    expect(await store.putIfAbsent(longKey, 1, 3600)).toBe(true);
    appendFileSync(path, '{"k":"half-writ');
    const reopened = new FileStore(path);

    // Assess
    expect(readFileSync(path, 'utf8').length).toBeLessThan(1000);
    expect(await reopened.putIfAbsent(longKey, 1, 3600)).toBe(false);
  });
});
