/**
 * `read`, or a rejection with code `TIMEOUT` once `ms` have passed: for what an answer can go without (a chart, a
 * change list) rather than wait for. The timer never holds the process open.
 */
export function within<T>(read: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(Object.assign(new Error(`${what} too slow`), { code: 'TIMEOUT' })), ms);
    timer.unref?.();
  });
  return Promise.race([read, late]).finally(() => clearTimeout(timer));
}
