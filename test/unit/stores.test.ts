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

describe('file store on a disk that misbehaves, and beside other processes', () => {
  async function fresh() {
    const fs = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { FileStore } = await import('../../integrations/sandbox/file-store');
    const path = join(fs.mkdtempSync(join(tmpdir(), 'opsbot-disk-')), 'store.jsonl');
    return { path, FileStore, fs };
  }

  /** node's fs, but a disk that fills up while `full.on`: a write lands half its bytes, then ENOSPC. */
  function fillingDisk(fs: typeof import('node:fs')) {
    const full = { on: false };
    const io = {
      ...fs,
      writeSync: ((fd: number, buffer: Buffer, offset?: number, length?: number) => {
        const from = offset ?? 0;
        const size = length ?? buffer.length - from;
        if (!full.on) return fs.writeSync(fd, buffer, from, size);
        fs.writeSync(fd, buffer, from, Math.max(1, Math.floor(size / 2)));
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }) as typeof fs.writeSync,
      // As a full disk: nothing can be cut off either, so the tail stays until the next append.
      ftruncateSync: ((fd: number, len?: number) => {
        if (full.on) throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
        fs.ftruncateSync(fd, len);
      }) as typeof fs.ftruncateSync,
    };
    return { io, full };
  }

  it('a write the full disk cuts short changes nothing, and the next write after space is freed survives a restart', async () => {
    // Prepare
    const { path, FileStore, fs } = await fresh();
    const { io, full } = fillingDisk(fs);
    const store = new FileStore(path, Date.now, { fs: io });
    await store.put('lock:web/prod', { holder: 'U0ALICE001' }, 3600);

    // Act: the disk fills while the lock is released and a deploy's audit record is written
    full.on = true;
    const release = store.delete('lock:web/prod').then(
      () => 'saved',
      (error: { code?: string; userMessage?: string }) => `${error.code}: ${error.userMessage}`,
    );
    const audit = store.put('audit:1', { outcome: 'started' }, 3600).then(
      () => 'saved',
      (error: { code?: string }) => String(error.code),
    );
    const answers = [await release, await audit];
    const lockDuring = await store.get('lock:web/prod');
    const auditDuring = await store.get('audit:1');
    full.on = false;
    await store.put('lock:api/prod', { holder: 'U0BOB00001' }, 3600);
    const restarted = new FileStore(path);

    // Assess: both refused plainly, nothing changed in memory, and the write after it is whole on disk
    expect(answers).toEqual([
      'STORE_UNWRITABLE: opsbot could not save this: the disk is full. Nothing was changed.',
      'STORE_UNWRITABLE',
    ]);
    expect(lockDuring).toEqual({ holder: 'U0ALICE001' });
    expect(auditDuring).toBeUndefined();
    expect(await restarted.get('lock:web/prod')).toEqual({ holder: 'U0ALICE001' });
    expect(await restarted.get('audit:1')).toBeUndefined();
    expect(await restarted.get('lock:api/prod')).toEqual({ holder: 'U0BOB00001' });
    for (const line of fs.readFileSync(path, 'utf8').trimEnd().split('\n'))
      expect(() => JSON.parse(line)).not.toThrow();
  });

  it('on a read-only disk it still answers what writes nothing, and says why a write failed', async () => {
    // Prepare: a journal written earlier, then the directory turns read-only
    const { path, FileStore, fs } = await fresh();
    const writer = new FileStore(path);
    await writer.put('conversation:T:C:1', { step: 'version' }, 3600);
    fs.unlinkSync(`${path}.lock`);
    const refuse = () => {
      throw Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' });
    };
    const io = { ...fs, openSync: refuse, writeFileSync: refuse, mkdirSync: refuse } as unknown as typeof fs;

    // Act
    const store = new FileStore(path, Date.now, { fs: io });
    const read = await store.get('conversation:T:C:1');
    const write = await store
      .put('lock:web/prod', {}, 60)
      .catch((error: { userMessage?: string }) => error.userMessage);

    // Assess
    expect(read).toEqual({ step: 'version' });
    expect(write).toBe('opsbot could not save this: its directory is read-only. Nothing was changed.');
    expect(await store.get('lock:web/prod')).toBeUndefined();
  });

  it('opened to read only, it never rewrites the journal, even one due for compaction', async () => {
    // Prepare: a journal of overwritten lines, which a writer would compact on opening
    const { path, FileStore, fs } = await fresh();
    const writer = new FileStore(path);
    for (let i = 0; i < 50; i++) await writer.put('conversation:T:C:1', { i }, 3600);
    const bytes = fs.readFileSync(path);
    const inode = fs.statSync(path).ino;

    // Act
    const reader = new FileStore(path, Date.now, { readOnly: true });
    const read = await reader.get('conversation:T:C:1');
    const write = await reader.put('x', 1, 60).catch((error: { code?: string }) => error.code);

    // Assess
    expect(read).toEqual({ i: 49 });
    expect(write).toBe('STORE_READ_ONLY');
    expect(fs.readFileSync(path).equals(bytes)).toBe(true);
    expect(fs.statSync(path).ino).toBe(inode);
  });

  it('refuses a second writer while the first runs, and takes over the lock of one that is gone', async () => {
    // Prepare: a lock held by a running process (a child that sleeps), and one left by a process that exited
    const { spawn, spawnSync } = await import('node:child_process');
    const { path, FileStore, fs } = await fresh();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    try {
      fs.writeFileSync(`${path}.lock`, `${other.pid}\n`);

      // Act
      let busy: { code?: string; userMessage?: string } | undefined;
      try {
        new FileStore(path);
      } catch (error) {
        busy = error as typeof busy;
      }
      fs.writeFileSync(`${path}.lock`, `${gone.stdout.trim()}\n`);
      const takeover = new FileStore(path);
      await takeover.put('k', 1, 60);

      // Assess
      expect(busy?.code).toBe('STORE_BUSY');
      expect(busy?.userMessage).toBe(`Another opsbot (process ${other.pid}) is using this data directory's store.`);
      expect(fs.readFileSync(`${path}.lock`, 'utf8').trim()).toBe(String(process.pid));
    } finally {
      other.kill();
    }
  });
});
