import { listenToCalls, type RecordedCall } from '../../integrations/aws/call-ledger';
import { TEST_SETUP } from './moto';

/**
 * Every suite records into the call ledger: whatever AWS call opsbot's own clients make in a unit, integration (moto)
 * or end-to-end test is mapped, at the end of the suite, to the IAM requests AWS would authorize it by (its actions
 * and the resource ARNs built from its input, each checked against AWS's service authorization data). A call the map
 * does not know, or whose resource it cannot name, fails the suite: no call opsbot makes escapes the IAM proof
 * (test/infra/aws-rules.test.ts), which judges the same map against the synthesized policies.
 */
const calls: RecordedCall[] = [];
const stopListening = listenToCalls((call) => {
  if (call.caller !== TEST_SETUP) calls.push(call);
});

afterAll(async () => {
  if (calls.length === 0) {
    stopListening();
    return;
  }
  // Loaded only where a suite made AWS calls: the authorization data is large.
  const { iamRequestsOf } = await import('./iam-map');
  const problems: string[] = [];
  for (const call of calls) {
    try {
      await iamRequestsOf(call, { home: { account: '111111111111', region: call.region }, ledger: calls });
    } catch (error) {
      problems.push(`${call.caller} → ${call.service} ${call.operation}: ${(error as Error).message}`);
    }
  }
  stopListening();
  if (problems.length > 0) throw new Error(`AWS calls the IAM map cannot judge:\n${problems.join('\n')}`);
});
