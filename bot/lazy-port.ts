/**
 * A port whose construction waits for its first call: its adapter and SDK client load when first used rather than
 * at cold start (in the Lambda bundles they are chunks of their own, read on first use: the Store's DynamoDB client
 * on the Slack function, every AWS adapter on the worker). Every port method is async, so each call awaits the
 * construction; a construction that fails is tried again on the next call.
 */
export function lazyPort<T extends object>(make: () => Promise<T>): T {
  let made: Promise<T> | undefined;
  const build = () => {
    made ??= make().catch((error: unknown) => {
      made = undefined;
      throw error;
    });
    return made;
  };
  return new Proxy({} as T, {
    get(_target, property) {
      // Not a promise itself, and nothing to show for introspection.
      if (property === 'then' || typeof property === 'symbol') return undefined;
      return async (...args: unknown[]) => {
        const port = await build();
        const method: unknown = Reflect.get(port, property);
        if (typeof method !== 'function')
          throw new TypeError(`opsbot: ${String(property)} is not a method of this port`);
        return method.apply(port, args);
      };
    },
  });
}
