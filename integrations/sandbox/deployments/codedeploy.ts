import { GATE_TIMEOUT_MS, LIFECYCLE, type SandboxEngine } from './records';

/**
 * ECS blue/green through CodeDeploy, as the sandbox runs it: green installed, test traffic, production traffic
 * shifted 25% at a time, bake, blue terminated. Ids are CodeDeploy's `d-…`; a gate is a ready wait that stops the
 * deployment when nobody answers; a deployment whose tasks would not start fails with ECS_UPDATE_ERROR and is
 * rolled back by a deployment of its own.
 */
export const CODEDEPLOY: SandboxEngine = {
  deploymentId: (_env, _service, n) => `d-SANDBOX${String(n).padStart(4, '0')}`,
  listsLate: false,
  stopsOnlyByRollingBack: false,
  phases: (bakeMs) => [
    { step: 'InstallingGreen', ms: LIFECYCLE.installGreenMs, traffic: 0 },
    { step: 'TestTraffic', ms: LIFECYCLE.testTrafficMs, traffic: 0 },
    { step: 'ShiftingTraffic', ms: LIFECYCLE.shiftSteps * LIFECYCLE.shiftStepMs, traffic: 0 },
    { step: 'Baking', ms: bakeMs, traffic: 100 },
    { step: 'TerminatingBlue', ms: LIFECYCLE.terminateBlueMs, traffic: 100 },
  ],
  shift: LIFECYCLE,
  gate: (r, opened) => ({
    id: r.id,
    kind: 'codedeploy-ready-wait',
    expiresAt: opened + GATE_TIMEOUT_MS,
    onTimeout: 'stop',
  }),
  failure: (r, pull) => ({
    error: {
      code: 'ECS_UPDATE_ERROR',
      message: `The ECS service cannot reach a steady state: tasks of the new revision stopped (${pull}).`,
    },
    rollbackDeploymentId: `${r.id}R`,
  }),
};
