import { listenToCalls, type RecordedCall } from '../../integrations/aws/call-ledger';
import { TEST_SETUP } from './moto';

/**
 * Every suite records into the call ledger, and every AWS call opsbot makes in it must be one the IAM map knows:
 * - calls through opsbot's own clients (the client factory, the Store, the hand-over, …) are recorded as they are
 *   sent and mapped in full to the IAM requests AWS would authorize them by (actions, and resource ARNs built from
 *   their input, each checked against AWS's service authorization data);
 * - calls that unit tests answer with aws-sdk-client-mock on clients they build themselves are read from the stubs
 *   (before each reset), and their operation must be one the map knows. Their inputs are the tests' own, often made
 *   up on purpose, so their resources are judged by the IAM proof (test/infra/aws-rules.test.ts) instead, with
 *   inputs as opsbot builds them from a synthesized stack.
 * A suite with a call the map cannot judge fails at its end.
 */
const recorded: RecordedCall[] = [];
const stopListening = listenToCalls((call) => {
  if (call.caller !== TEST_SETUP) recorded.push(call);
});

interface StubbedCall {
  readonly args: unknown[];
  readonly thisValue: unknown;
}
interface Stub {
  send: { getCalls(): StubbedCall[] };
  reset(): unknown;
  restore(): unknown;
}
const stubbed: StubbedCall[] = [];
const harvest = (stub: Stub) => {
  stubbed.push(...stub.send.getCalls());
};

jest.mock('aws-sdk-client-mock', () => {
  const actual = jest.requireActual('aws-sdk-client-mock') as typeof import('aws-sdk-client-mock');
  return {
    ...actual,
    mockClient: (...args: Parameters<typeof actual.mockClient>) => {
      const stub = actual.mockClient(...args) as unknown as Stub;
      // Read the calls before the test forgets them.
      for (const method of ['reset', 'restore'] as const) {
        const original = stub[method].bind(stub);
        stub[method] = () => {
          harvest(stub);
          return original();
        };
      }
      stubs.push(stub);
      return stub;
    },
  };
});
const stubs: Stub[] = [];

afterAll(async () => {
  stopListening();
  for (const stub of stubs) harvest(stub);
  if (recorded.length === 0 && stubbed.length === 0) return;
  // Loaded only where a suite made AWS calls: the authorization data is large.
  const { iamRequestsOf, MAPPED_OPERATIONS } = await import('./iam-map');
  const known = new Set(MAPPED_OPERATIONS);
  const problems = new Set<string>();
  for (const call of recorded) {
    try {
      await iamRequestsOf(call, { home: { account: '111111111111', region: call.region }, ledger: recorded });
    } catch (error) {
      problems.add(`${call.caller} → ${call.service} ${call.operation}: ${(error as Error).message}`);
    }
  }
  for (const call of stubbed) {
    const client = call.thisValue as { config?: { serviceId?: string } } | undefined;
    const command = call.args[0] as { constructor?: { name?: string } } | undefined;
    const operation = `${client?.config?.serviceId ?? 'unknown'} ${String(command?.constructor?.name).replace(/Command$/, '')}`;
    if (!known.has(operation)) problems.add(`${operation}: not in the IAM map (test/support/iam-map.ts)`);
  }
  if (problems.size > 0) throw new Error(`AWS calls the IAM map cannot judge:\n${[...problems].join('\n')}`);
});
