import { AsyncLocalStorage } from 'node:async_hooks';
import type { Pluggable } from '@smithy/types';

/**
 * The ledger of AWS calls: every SDK client opsbot builds (the client factory, the secrets reader, the Lex client,
 * the job hand-over, the Step Functions starter, the DynamoDB Store, the audit CLI), and the STS client the SDK builds
 * to assume a role, tell it each call they send, with AWS's answer once it came. In production nothing listens and a
 * call costs one check. Tests listen, and judge each call by IAM as AWS would: the code path that made it, the account
 * and region it went to, the operation and its actual input.
 */

/** One AWS call as the ledger keeps it. */
export interface RecordedCall {
  /** Which of opsbot's code paths made it: `slack`, `worker`, `watcher` (the worker's poll step), `cli`, … */
  readonly caller: string;
  /** The SDK's service id (`ECS`, `CodeDeploy`, `DynamoDB`, `Secrets Manager`, `Lex Runtime V2`, …). */
  readonly service: string;
  /** The API operation, e.g. `UpdateService`. */
  readonly operation: string;
  readonly region: string;
  /** The account the client's credentials reach: an account opsbot assumes a role in; none for its own. */
  readonly account?: string;
  /** The role assumed there. */
  readonly roleArn?: string;
  readonly input: unknown;
  /** What AWS answered (some calls' resources are named only there, e.g. a deployment's group), or the error's name. */
  readonly output?: unknown;
  readonly error?: string;
}

export type CallSink = (call: RecordedCall) => void;

const listeners = new Set<CallSink>();

/** Passes every recorded call to `listener` until the returned function is called. Tests only. */
export function listenToCalls(listener: CallSink): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const toListeners: CallSink = (call) => {
  for (const listener of listeners) listener(call);
};

const callers = new AsyncLocalStorage<string>();

/** Runs `work` as `caller`: the calls it makes, and the work it starts, are recorded as that code path's. */
export function asCaller<T>(caller: string, work: () => T): T {
  return callers.run(caller, work);
}

/** Where a client's calls go: the account (when a role is assumed there) and the caller when it is fixed. */
export interface CallPlace {
  readonly account?: string;
  readonly roleArn?: string;
  /** The code path, when the client serves only one (the hand-over is the slack function's). */
  readonly caller?: string;
}

interface SendingClient {
  send: (...args: never[]) => Promise<unknown>;
  config: { serviceId?: string; region?: unknown };
}

/**
 * Records the calls of an SDK client opsbot does not build itself but configures, such as the STS client the SDK's
 * `fromTemporaryCredentials` makes to assume a role (its `clientPlugins`): a middleware, so it sees what is sent.
 */
export function recordingPlugin(place: CallPlace & { readonly region: string }): Pluggable<object, object> {
  return {
    applyToStack(stack) {
      stack.add(
        (next, context) => async (args) => {
          if (listeners.size === 0) return next(args);
          const caller = callers.getStore() ?? place.caller ?? 'unknown';
          const call = (answer: { output?: unknown; error?: string }): RecordedCall => ({
            caller,
            service: String(context.clientName ?? 'unknown').replace(/Client$/, ''),
            operation: String(context.commandName ?? 'unknown').replace(/Command$/, ''),
            region: place.region,
            ...(place.account !== undefined && { account: place.account }),
            input: args.input,
            ...answer,
          });
          try {
            const result = await next(args);
            toListeners(call({ output: result.output }));
            return result;
          } catch (error) {
            toListeners(call({ error: (error as { name?: string } | undefined)?.name ?? 'Error' }));
            throw error;
          }
        },
        // The SDK may apply a client's plugins more than once (each time credentials are refreshed): replace, never add.
        { step: 'initialize', name: 'opsbotCallLedger', override: true },
      );
    },
  };
}

const places = new WeakMap<object, CallPlace>();

/** Where a recorded client's calls go (tests answering for an account read it). */
export function callPlaceOf(client: object): CallPlace | undefined {
  return places.get(client);
}

type Command = { input?: unknown; constructor: { name: string } };

/**
 * Records each call `client` sends. The client's own `send` (or a test's stub of it on the client's class, looked up at
 * call time) still sends it; nothing changes when no one listens. A stub put on the client instance itself replaces
 * this wrapper, and its calls go unrecorded.
 * @example
 * const ecs = recordCalls(new ECSClient({ region }), { account: '222222222222', roleArn });
 */
export function recordCalls<C>(client: C, place: CallPlace = {}): C {
  const c = client as unknown as SendingClient;
  places.set(c, place);
  const prototype = Object.getPrototypeOf(c) as SendingClient;
  c.send = ((command: Command, ...rest: unknown[]) => {
    const sent = (prototype.send as (...a: unknown[]) => Promise<unknown>).call(c, command, ...rest);
    if (listeners.size > 0) {
      // Recording never changes the call: what goes wrong here reaches the listeners as a call they cannot judge.
      try {
        record(toListeners, c, command, place, Promise.resolve(sent));
      } catch (error) {
        toListeners({
          caller: callers.getStore() ?? place.caller ?? 'unknown',
          service: 'unrecorded',
          operation: String(command?.constructor?.name),
          region: 'unknown',
          input: undefined,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return sent;
  }) as SendingClient['send'];
  return client;
}

function record(to: CallSink, client: SendingClient, command: Command, place: CallPlace, sent: Promise<unknown>) {
  const caller = callers.getStore() ?? place.caller ?? 'unknown';
  const call = (region: string, answer: { output?: unknown; error?: string }): RecordedCall => ({
    caller,
    service: client.config.serviceId ?? 'unknown',
    operation: command.constructor.name.replace(/Command$/, ''),
    region,
    ...(place.account !== undefined && { account: place.account }),
    ...(place.roleArn !== undefined && { roleArn: place.roleArn }),
    input: command.input,
    ...answer,
  });
  const region = client.config.region;
  // A built client's region is a provider; both are read once the call has settled, without holding it up.
  const regionRead = Promise.resolve(typeof region === 'function' ? (region as () => unknown)() : region).then(
    (r) => String(r ?? 'unknown'),
    () => 'unknown',
  );
  const answered = sent.then(
    (output) => ({ output }),
    (error: unknown) => ({ error: (error as { name?: string } | undefined)?.name ?? 'Error' }),
  );
  void Promise.all([regionRead, answered]).then(([r, answer]) => to(call(r, answer)));
}
