import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { OpsbotStack } from '../../infra/stacks/opsbot-stack';
import * as configs from '../support/configs';
import { checkStateMachine, type Resources, resolveIntrinsics } from '../support/published-models';

/**
 * The example configuration and every configuration the infra tests share (test/support/configs.ts), so the richest
 * is always among them, and so is one without pipelines or aliases.
 */
const CONFIGS: Array<[string, string]> = [
  ['the example configuration', readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')],
  ...Object.entries(configs).flatMap(
    ([name, text]): Array<[string, string]> =>
      typeof text === 'string' ? [[`${name} (test/support/configs.ts)`, text]] : [],
  ),
];

/** Every state machine of a stack synthesized from `configText`, its definition resolved as it would be deployed. */
function stateMachines(configText: string): Array<{ id: string; definition: string }> {
  const template = Template.fromStack(new OpsbotStack(new App(), 'Opsbot', { config: parseConfig(configText) }));
  const resources = template.toJSON().Resources as Resources;
  return Object.entries(template.findResources('AWS::StepFunctions::StateMachine')).map(([id, machine]) => {
    const { DefinitionString, Definition } = machine.Properties as { DefinitionString?: unknown; Definition?: unknown };
    const resolved = resolveIntrinsics(DefinitionString ?? Definition, resources);
    return { id, definition: typeof resolved === 'string' ? resolved : JSON.stringify(resolved) };
  });
}

describe.each(CONFIGS)('the state machines the stack synthesizes from %s', (_, configText) => {
  const machines = stateMachines(configText);

  it('include the deploy watcher, each definition resolved to plain JSON with plausible ARNs', () => {
    // Prepare
    const ids = machines.map((m) => m.id);

    // Act
    const definitions = machines.map(
      (m) => JSON.parse(m.definition) as { States: Record<string, { Resource?: string }> },
    );

    // Assess
    expect(ids).toEqual([expect.stringMatching(/^DeployWatcherStateMachine/)]);
    for (const { definition } of machines) expect(definition).not.toMatch(/Fn::|"Ref"|\$\{Token/);
    expect(definitions[0]?.States.Poll?.Resource).toBe('arn:aws:states:::lambda:invoke');
    expect(machines[0]?.definition).toMatch(/"FunctionName":"arn:aws:lambda:eu-west-1:111111111111:function:Worker/);
  });

  it('are valid Amazon States Language (asl-validator, path and ARN checks on)', () => {
    // Prepare
    expect(machines.length).toBeGreaterThan(0);

    // Act
    const checks = machines.map(({ id, definition }) => ({ id, ...checkStateMachine(definition) }));

    // Assess
    for (const { id, violations, states } of checks) {
      expect({ id, violations }).toEqual({ id, violations: [] });
      expect(states).toBeGreaterThanOrEqual(4);
    }
  });
});

describe('the ASL check (asl-validator)', () => {
  /** The deploy watcher's shape, standing alone: Wait → Poll → Done? → Ended, or back to Wait. */
  const watcher = () => ({
    StartAt: 'Wait',
    TimeoutSeconds: 180000,
    States: {
      Wait: { Type: 'Wait', Seconds: 10, Next: 'Poll' },
      Poll: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: {
          FunctionName: 'arn:aws:lambda:eu-west-1:111111111111:function:worker',
          Payload: { kind: 'watch', 'runId.$': '$.runId' },
        },
        ResultSelector: { 'done.$': '$.Payload.done' },
        ResultPath: '$.poll',
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.pollError', Next: 'Wait' }],
        Next: 'Done?',
      },
      'Done?': {
        Type: 'Choice',
        Choices: [{ Variable: '$.poll.done', BooleanEquals: true, Next: 'Ended' }],
        Default: 'Wait',
      },
      Ended: { Type: 'Succeed' },
    },
  });

  it('accepts the watcher’s shape', () => {
    // Prepare
    const definition = watcher();

    // Act
    const check = checkStateMachine(definition);

    // Assess
    expect(check).toEqual({ violations: [], states: 4 });
  });

  it.each<[string, (d: ReturnType<typeof watcher>) => void, RegExp]>([
    [
      'a transition to a state that does not exist',
      (d) => {
        d.States['Done?'].Default = 'Nowhere';
      },
      /^MISSING_TRANSITION_TARGET: .*Nowhere/,
    ],
    [
      'a Choice state without choices',
      (d) => {
        d.States['Done?'].Choices = [];
      },
      /^SCHEMA_VALIDATION_FAILED: \/States\/Done\?\/Choices is invalid/,
    ],
    [
      'a Wait state with two durations',
      (d) => {
        Object.assign(d.States.Wait, { Timestamp: '2030-01-01T00:00:00Z' });
      },
      /^WAIT_DURATION: State "Wait" MUST contain exactly one of/,
    ],
    [
      'a task Resource that is not an ARN',
      (d) => {
        d.States.Poll.Resource = 'lambda:invoke';
      },
      /^SCHEMA_VALIDATION_FAILED: \/States\/Poll\/Resource is invalid/,
    ],
    [
      'a ResultPath that is not a reference path',
      (d) => {
        d.States.Poll.ResultPath = '$..poll[*]';
      },
      /^SCHEMA_VALIDATION_FAILED: \/States\/Poll\/ResultPath is invalid\. must match format "asl_result_path"/,
    ],
  ])('rejects %s', (_, breakIt, error) => {
    // Prepare
    const definition = watcher();
    breakIt(definition);

    // Act
    const { violations } = checkStateMachine(definition);

    // Assess
    expect(violations).toContainEqual(expect.stringMatching(error));
  });

  it('rejects text that is not JSON', () => {
    // Prepare
    const definition = '{"StartAt": "Wait", ';

    // Act
    const { violations } = checkStateMachine(definition);

    // Assess
    expect(violations).toEqual([expect.stringMatching(/^not JSON: /)]);
  });

  it('resolves tokens as CloudFormation would, and refuses what it cannot resolve', () => {
    // Prepare
    const resources: Resources = { Worker: { Type: 'AWS::Lambda::Function' }, Odd: { Type: 'AWS::Foo::Bar' } };

    // Act
    const resolved = resolveIntrinsics(
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':x ', { 'Fn::GetAtt': ['Worker', 'Arn'] }]] },
      resources,
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's own ${…} syntax, not a template literal.
    const sub = resolveIntrinsics({ 'Fn::Sub': '${AWS::Region}/${Worker.Arn}' }, resources);

    // Assess
    expect(resolved).toBe('arn:aws:x arn:aws:lambda:eu-west-1:111111111111:function:Worker');
    expect(sub).toBe('eu-west-1/arn:aws:lambda:eu-west-1:111111111111:function:Worker');
    expect(() => resolveIntrinsics({ 'Fn::GetAtt': ['Odd', 'Arn'] }, resources)).toThrow(/no ARN format/);
    expect(() => resolveIntrinsics({ 'Fn::ImportValue': 'x' }, resources)).toThrow(/not resolved/);
    expect(() => resolveIntrinsics({ Ref: 'Missing' }, resources)).toThrow(/no such resource/);
  });
});
