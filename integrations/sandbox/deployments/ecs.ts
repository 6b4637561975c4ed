import { GATE_TIMEOUT_MS, LIFECYCLE, type SandboxEngine } from './records';

/** ECS's linear strategy in the sandbox: 10% more production traffic every 30 s, no test traffic step. */
export const LINEAR = { shiftSteps: 10, shiftStepMs: 30_000 } as const;

/**
 * ECS's own linear deployment, as the sandbox runs it (as ECS's lifecycle stages go): green scaled up, production
 * traffic shifted step by step, bake, blue cleaned up. Ids are service deployment ARNs, and ECS may list a
 * deployment late; a gate is a pause hook that rolls back when nobody answers; a deployment is stopped only by
 * rolling it back; one whose tasks would not start is rolled back by the circuit breaker, the stopped tasks saying why.
 */
export const ECS_LINEAR: SandboxEngine = {
  deploymentId: (env, service, n) =>
    `arn:aws:ecs:${env.region}:${env.account}:service-deployment/${env.cluster}/${service}/sandbox${String(n).padStart(4, '0')}`,
  listsLate: true,
  stopsOnlyByRollingBack: true,
  phases: (bakeMs) => [
    { step: 'InstallingGreen', ms: LIFECYCLE.installGreenMs, traffic: 0 },
    { step: 'ShiftingTraffic', ms: LINEAR.shiftSteps * LINEAR.shiftStepMs, traffic: 0 },
    { step: 'Baking', ms: bakeMs, traffic: 100 },
    { step: 'TerminatingBlue', ms: LIFECYCLE.terminateBlueMs, traffic: 100 },
  ],
  shift: LINEAR,
  gate: (r, opened) => ({
    id: `hook-${r.id.slice(-4)}`,
    kind: 'ecs-pause-hook',
    expiresAt: opened + GATE_TIMEOUT_MS,
    onTimeout: 'rollback',
  }),
  failure: (_r, pull) => ({
    error: {
      code: 'CannotPullContainerError',
      message: `${pull} (ECS: Service deployment rolled back because the circuit breaker threshold was exceeded.)`,
    },
  }),
};
