import { Clients, Clock, DeploymentFailed, OpsError } from '../../tools/ops/aws';
import { parseArgs, run } from '../../tools/ops/cli';
import { EnvironmentConfig } from '../../src/environment/config';
import { environmentNames } from '../../src/shared/names';
import { serviceResourceName } from '../../src/services/resolve';
import { wake } from '../../tools/ops/wake';
import { demoConfig, demoConfigs } from '../support/fixtures';

// tools/ops finds an environment by name in src/environments.ts; these cases know the demo's dev, so it reads the demo.
jest.mock('../../src/environments', () => {
  const demo = jest.requireActual('../../tools/cost/demo-environments');
  return { ENVIRONMENTS: demo.DEMO_ENVIRONMENTS, DEFAULT_ENVIRONMENTS: demo.DEMO_DEFAULT_ENVIRONMENTS };
});

type Answer = (input: any) => unknown;

/** Clients answering `<client>.<Command>` (both Auto Scaling APIs have a DescribeScheduledActionsCommand); every call is recorded. */
function fakeClients(answers: Record<string, Answer>, sent: { call: string; input: any }[] = []): Clients {
  const client = (name: string) => ({
    send: async (command: { constructor: { name: string }; input: unknown }) => {
      const call = `${name}.${command.constructor.name}`;
      sent.push({ call, input: command.input });
      const answer = answers[call];
      if (!answer) throw new Error(`unexpected ${call}`);
      return answer(command.input);
    },
  });
  return {
    ecs: client('ecs'),
    elb: client('elb'),
    cloudwatch: client('cloudwatch'),
    autoscaling: client('autoscaling'),
    appAutoscaling: client('appAutoscaling'),
  } as unknown as Clients;
}

/** A clock whose sleep moves time on and counts the sleeps: no real waiting. */
function fakeClock(): Clock & { slept: number } {
  let now = Date.parse('2026-12-06T03:00:00Z'); // a Sunday, 03:00
  const clock = { slept: 0, now: () => now, sleep: async (ms: number) => void ((now += ms), clock.slept++) };
  return clock;
}

const io = () => {
  const out: string[] = [];
  return { out, io: { out: (t: string) => out.push(t), interactive: () => 0 } };
};

const dev = () => demoConfigs(['dev'])[0];
/** dev with a schedule and any NAT mode, or none: the tests hold for any such configuration. */
const scheduled = (settings: object = {}) => demoConfig('dev', { schedule: { enabled: true }, ...settings });

describe('ops wake', () => {
  /** An environment as the schedule's stop leaves it: every group and target at 0, the start actions deployed. */
  function offHours(config: EnvironmentConfig) {
    const names = environmentNames(config.namePrefix);
    const groups: Record<string, { MinSize: number; MaxSize: number; DesiredCapacity: number; Instances: unknown[] }> = {};
    const natGroup = `${config.namePrefix}-nat-group`;
    const startActions = [
      {
        ScheduledActionName: `${config.namePrefix}-start`,
        AutoScalingGroupName: names.autoScalingGroup,
        MinSize: config.capacity.min,
        MaxSize: config.capacity.max,
        DesiredCapacity: config.capacity.min,
      },
      { ScheduledActionName: `${config.namePrefix}-nat-start`, AutoScalingGroupName: natGroup, MinSize: 1, MaxSize: 1, DesiredCapacity: 1 },
    ];
    for (const a of startActions) groups[a.AutoScalingGroupName] = { MinSize: 0, MaxSize: 0, DesiredCapacity: 0, Instances: [] };
    const services = new Map(config.services.map((s) => [s.name, { desired: 0, running: 0 }]));
    const targets = new Map<string, { min: number; max: number }>();
    const order: string[] = [];
    const answers: Record<string, Answer> = {
      'ecs.DescribeClustersCommand': () => ({ clusters: [{ clusterName: names.cluster, status: 'ACTIVE' }] }),
      'autoscaling.DescribeScheduledActionsCommand': (input: { ScheduledActionNames: string[] }) => ({
        ScheduledUpdateGroupActions: startActions.filter((a) => input.ScheduledActionNames.includes(a.ScheduledActionName)),
      }),
      'appAutoscaling.DescribeScheduledActionsCommand': (input: { ScheduledActionNames: string[] }) => ({
        ScheduledActions: config.services
          .map((s) => ({
            ScheduledActionName: `${serviceResourceName(config.namePrefix, s.name)}-start`,
            ScalableTargetAction: { MinCapacity: s.scaling.minTasks, MaxCapacity: s.scaling.maxTasks },
          }))
          .filter((a) => input.ScheduledActionNames.includes(a.ScheduledActionName)),
      }),
      // The group launches what it is asked for; instances are in service at the next look.
      'autoscaling.DescribeAutoScalingGroupsCommand': (input: { AutoScalingGroupNames: string[] }) => {
        const g = groups[input.AutoScalingGroupNames[0]];
        const described = g && { AutoScalingGroupName: input.AutoScalingGroupNames[0], ...g, Instances: [...g.Instances] };
        if (g)
          g.Instances = Array.from({ length: g.DesiredCapacity }, (_, i) => ({
            InstanceId: `i-${i}`,
            LifecycleState: 'InService',
            HealthStatus: 'Healthy',
          }));
        return { AutoScalingGroups: described ? [described] : [] };
      },
      'autoscaling.UpdateAutoScalingGroupCommand': (input: {
        AutoScalingGroupName: string;
        MinSize: number;
        MaxSize: number;
        DesiredCapacity: number;
      }) => {
        order.push(input.AutoScalingGroupName);
        Object.assign(groups[input.AutoScalingGroupName], {
          MinSize: input.MinSize,
          MaxSize: input.MaxSize,
          DesiredCapacity: input.DesiredCapacity,
        });
        return {};
      },
      'appAutoscaling.RegisterScalableTargetCommand': (input: { ResourceId: string; MinCapacity: number; MaxCapacity: number }) => {
        order.push(input.ResourceId);
        targets.set(input.ResourceId, { min: input.MinCapacity, max: input.MaxCapacity });
        return {};
      },
      'ecs.DescribeServicesCommand': (input: { services: string[] }) => ({
        services: input.services.map((name) => {
          const s = services.get(name)!;
          const described = { serviceName: name, status: 'ACTIVE', desiredCount: s.desired, runningCount: s.running };
          s.running = s.desired;
          return described;
        }),
      }),
      'ecs.UpdateServiceCommand': (input: { service: string; desiredCount: number }) => {
        services.get(input.service)!.desired = input.desiredCount;
        return {};
      },
    };
    return { answers, groups, services, targets, order, natGroup, names };
  }

  test.each([
    ['a NAT instance', {}],
    ['a NAT gateway', { natMode: 'single' }],
  ])('with %s: NAT first, then the instances, then every service, each to its start action and running', async (_, settings) => {
    const config = scheduled(settings);
    const env = offHours(config);
    const clock = fakeClock();
    const lines: string[] = [];
    expect(await wake(fakeClients(env.answers), config, { clock, timeoutMs: 20 * 60_000, progress: (l) => lines.push(l) })).toBe(true);

    const nat = config.natMode === 'instance';
    const serviceTargets = config.services.map((s) => `service/${env.names.cluster}/${s.name}`);
    expect(env.order).toEqual([...(nat ? [env.natGroup] : []), env.names.autoScalingGroup, ...serviceTargets]);
    if (nat) expect(env.groups[env.natGroup]).toMatchObject({ MinSize: 1, MaxSize: 1, DesiredCapacity: 1 });
    expect(env.groups[env.names.autoScalingGroup]).toMatchObject({
      MinSize: config.capacity.min,
      MaxSize: config.capacity.max,
      DesiredCapacity: config.capacity.min,
    });
    for (const s of config.services) {
      expect(env.targets.get(`service/${env.names.cluster}/${s.name}`)).toEqual({ min: s.scaling.minTasks, max: s.scaling.maxTasks });
      expect(env.services.get(s.name)).toEqual({ desired: s.scaling.minTasks, running: s.scaling.minTasks });
    }
    expect(lines[lines.length - 1]).toBe("dev is awake; the schedule's next stop action scales it down again");
    expect(clock.slept).toBeGreaterThan(0);
  });

  test('during working hours it changes nothing that runs: desired capacity and desired count are never lowered', async () => {
    const config = scheduled();
    const env = offHours(config);
    const busy = config.capacity.max;
    env.groups[env.names.autoScalingGroup] = {
      MinSize: config.capacity.min,
      MaxSize: config.capacity.max,
      DesiredCapacity: busy,
      Instances: [],
    };
    const sent: { call: string; input: any }[] = [];
    for (const s of config.services) env.services.set(s.name, { desired: s.scaling.maxTasks, running: s.scaling.maxTasks });
    await wake(fakeClients(env.answers, sent), config, { clock: fakeClock(), timeoutMs: 60_000 * 20, progress: () => undefined });
    expect(env.groups[env.names.autoScalingGroup].DesiredCapacity).toBe(busy);
    expect(sent.filter((x) => x.call === 'ecs.UpdateServiceCommand')).toEqual([]);
  });

  test('instances that never come: one line naming the group, after the timeout and no longer', async () => {
    const config = scheduled({ natMode: 'single' });
    const env = offHours(config);
    env.answers['autoscaling.DescribeAutoScalingGroupsCommand'] = (input: { AutoScalingGroupNames: string[] }) => ({
      AutoScalingGroups: [
        { AutoScalingGroupName: input.AutoScalingGroupNames[0], ...env.groups[input.AutoScalingGroupNames[0]], Instances: [] },
      ],
    });
    const clock = fakeClock();
    const t0 = clock.now();
    const woken = wake(fakeClients(env.answers), config, { clock, timeoutMs: 10 * 60_000, progress: () => undefined });
    await expect(woken).rejects.toThrow(DeploymentFailed);
    await expect(woken).rejects.toThrow(
      `container instances ${env.names.autoScalingGroup}: 0 of ${config.capacity.min} instance(s) in service after the timeout; see its activity history (aws autoscaling describe-scaling-activities --auto-scaling-group-name ${env.names.autoScalingGroup})`,
    );
    expect(clock.now() - t0).toBeLessThanOrEqual(10 * 60_000);
  });

  test('no schedule, or not deployed yet: nothing to wake, no change made', async () => {
    const sent: { call: string; input: any }[] = [];
    const lines: string[] = [];
    const prod = demoConfigs(['prod'])[0];
    expect(await wake(fakeClients({}, sent), prod, { clock: fakeClock(), timeoutMs: 1, progress: (l) => lines.push(l) })).toBe(false);
    expect(sent).toEqual([]);
    const gone = { 'ecs.DescribeClustersCommand': () => ({ clusters: [], failures: [{ reason: 'MISSING' }] }) };
    expect(await wake(fakeClients(gone, sent), scheduled(), { clock: fakeClock(), timeoutMs: 1, progress: (l) => lines.push(l) })).toBe(
      false,
    );
    expect(sent.map((x) => x.call)).toEqual(['ecs.DescribeClustersCommand']);
    expect(lines).toEqual([
      'prod has no working-hours schedule (schedule.enabled is false): it runs at its configured sizes, nothing to wake',
      'dev is not deployed in us-east-1 (no active cluster host-name-dev-cluster): nothing to wake; an apply creates it at its configured sizes',
    ]);
  });

  test('a schedule in the config that is not deployed: one line naming the scheduled action', async () => {
    const config = scheduled({ natMode: 'single' });
    const env = offHours(config);
    env.answers['autoscaling.DescribeScheduledActionsCommand'] = () => ({ ScheduledUpdateGroupActions: [] });
    await expect(wake(fakeClients(env.answers), config, { clock: fakeClock(), timeoutMs: 1, progress: () => undefined })).rejects.toThrow(
      new OpsError(
        'environment "dev" has schedule.enabled but no EC2 Auto Scaling scheduled action host-name-dev-start in us-east-1: deploy the schedule first (npm run deploy -- dev)',
      ),
    );
  });
});

describe('ops wait', () => {
  const APPLIED = 'arn:aws:ecs:us-east-1:123456789012:task-definition/host-name-dev-host-name:8';
  const PREVIOUS = 'arn:aws:ecs:us-east-1:123456789012:task-definition/host-name-dev-host-name:7';
  const at = (minute: number) => new Date(Date.UTC(2026, 11, 6, 3, minute));

  /** A DescribeServices answer as ECS gives it during and after a rollout (fields trimmed to those read). */
  const described = (deployments: object[], events: object[] = []) => ({
    services: [{ serviceName: 'host-name', status: 'ACTIVE', desiredCount: 1, runningCount: 1, deployments, events }],
  });
  const primary = (rolloutState: string, extra: object = {}) => ({
    id: 'ecs-svc/1111',
    status: 'PRIMARY',
    taskDefinition: APPLIED,
    desiredCount: 1,
    runningCount: rolloutState === 'COMPLETED' ? 1 : 0,
    createdAt: at(0),
    rolloutState,
    rolloutStateReason:
      rolloutState === 'COMPLETED' ? 'ECS deployment ecs-svc/1111 completed.' : 'ECS deployment ecs-svc/1111 in progress.',
    ...extra,
  });
  const previous = {
    id: 'ecs-svc/0000',
    status: 'ACTIVE',
    taskDefinition: PREVIOUS,
    desiredCount: 1,
    runningCount: 1,
    createdAt: at(-30),
    rolloutState: 'COMPLETED',
  };

  /** Answers DescribeServices from `responses` in turn (the last one repeats). */
  function recorded(responses: object[]) {
    let i = 0;
    const sent: { call: string; input: any }[] = [];
    const c = fakeClients(
      {
        'ecs.DescribeClustersCommand': () => ({ clusters: [{ clusterName: 'host-name-dev-cluster', status: 'ACTIVE' }] }),
        'ecs.DescribeServicesCommand': () => responses[Math.min(i++, responses.length - 1)],
        'ecs.DescribeTaskDefinitionCommand': (input: { taskDefinition: string }) => {
          expect(input.taskDefinition).toBe('host-name-dev-host-name');
          return { taskDefinition: { taskDefinitionArn: APPLIED } };
        },
      },
      sent,
    );
    return { c, calls: () => sent.filter((x) => x.call === 'ecs.DescribeServicesCommand').length };
  }

  test('IN_PROGRESS, then COMPLETED: exit 0 with one line per service', async () => {
    const { c, calls } = recorded([
      described([primary('IN_PROGRESS'), previous]),
      described([primary('IN_PROGRESS'), previous]),
      described([primary('COMPLETED')]),
    ]);
    const { out, io: o } = io();
    const clock = fakeClock();
    expect(await run(['wait', 'dev'], o, () => c, clock)).toBe(0);
    expect(calls()).toBe(3);
    expect(clock.slept).toBe(2);
    expect(out.join('')).toBe('host-name: deployment ecs-svc/1111 COMPLETED on host-name-dev-host-name:8, 1 running (30 s)\n');
  });

  test("IN_PROGRESS, then FAILED: a DeploymentFailed line with ECS's reason", async () => {
    const failed = primary('FAILED', { rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' });
    const { c } = recorded([described([primary('IN_PROGRESS'), previous]), described([failed, previous])]);
    const waited = run(['wait', 'dev'], io().io, () => c, fakeClock());
    await expect(waited).rejects.toThrow(DeploymentFailed);
    await expect(waited).rejects.toThrow(
      'host-name: deployment ecs-svc/1111 FAILED: ECS deployment circuit breaker: tasks failed to start.',
    );
  });

  test('a rollback by deployment alarm in the bake time: the new PRIMARY runs the previous revision', async () => {
    const rolledBack = { ...previous, id: 'ecs-svc/2222', status: 'PRIMARY', createdAt: at(6), rolloutState: 'IN_PROGRESS' };
    const alarmed = primary('FAILED', { status: 'ACTIVE', rolloutStateReason: 'ECS deployment ecs-svc/1111 failed: alarm(s) detected.' });
    const events = [
      { createdAt: at(6), message: '(service host-name) rolling back to deployment ecs-svc/2222.' },
      { createdAt: at(6), message: '(service host-name) (deployment ecs-svc/1111) deployment failed: alarm detected.' },
    ];
    const { c } = recorded([described([primary('IN_PROGRESS', { runningCount: 1 }), previous]), described([rolledBack, alarmed], events)]);
    await expect(run(['wait', 'dev'], io().io, () => c, fakeClock())).rejects.toThrow(
      new DeploymentFailed(
        'host-name was rolled back: its PRIMARY deployment ecs-svc/2222 runs host-name-dev-host-name:7, not host-name-dev-host-name:8 that was just applied (npm run ops -- events dev host-name)',
      ),
    );
  });

  test("a rollback to the same revision shows only in the events: ECS's own line", async () => {
    const event = { createdAt: at(5), message: '(service host-name) rolling back to deployment ecs-svc/3333.' };
    const old = { createdAt: at(-40), message: '(service host-name) rolling back to deployment ecs-svc/0000.' };
    const { c } = recorded([
      described([primary('IN_PROGRESS')], [old]),
      described([primary('IN_PROGRESS', { id: 'ecs-svc/3333', createdAt: at(5) })], [event, old]),
    ]);
    await expect(run(['wait', 'dev'], io().io, () => c, fakeClock())).rejects.toThrow(
      new DeploymentFailed('host-name was rolled back: ECS says "(service host-name) rolling back to deployment ecs-svc/3333."'),
    );
  });

  test('still IN_PROGRESS at the timeout: one line with the state, after the given minutes', async () => {
    const { c } = recorded([described([primary('IN_PROGRESS'), previous])]);
    const clock = fakeClock();
    const t0 = clock.now();
    await expect(run(['wait', 'dev', '5'], io().io, () => c, clock)).rejects.toThrow(
      new DeploymentFailed(
        "timed out after 5 min: host-name's deployment ecs-svc/1111 is still IN_PROGRESS (0 of 1 running); follow it with npm run ops -- status dev",
      ),
    );
    expect(clock.now() - t0).toBeLessThanOrEqual(5 * 60_000);
  });

  test("blue-green services are CodeDeploy's: named, not described, not waited for", async () => {
    const [micro] = demoConfigs(['microservices']);
    const blue = micro.services.filter((s) => s.deployment.blueGreen).map((s) => s.name);
    const rolling = micro.services.filter((s) => !s.deployment.blueGreen).map((s) => s.name);
    const described: string[][] = [];
    const c = fakeClients({
      'ecs.DescribeClustersCommand': () => ({ clusters: [{ status: 'ACTIVE' }] }),
      'ecs.DescribeServicesCommand': (input: { services: string[] }) => {
        described.push(input.services);
        return {
          services: input.services.map((name) => ({
            serviceName: name,
            status: 'ACTIVE',
            deployments: [{ ...primary('COMPLETED'), taskDefinition: `arn:aws:ecs:us-east-1:123456789012:task-definition/${name}:1` }],
          })),
        };
      },
      'ecs.DescribeTaskDefinitionCommand': (input: { taskDefinition: string }) => ({
        taskDefinition: { taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/${input.taskDefinition}:1` },
      }),
    });
    const { out, io: o } = io();
    expect(await run(['wait', 'microservices'], o, () => c, fakeClock())).toBe(0);
    expect(described).toEqual([rolling]);
    expect(out.join('')).toBe(
      [
        ...blue.map((name) => `${name}: blue/green, deployed and waited for by npm run release -- deploy microservices ${name}\n`),
        ...rolling.map((name) => `${name}: deployment ecs-svc/1111 COMPLETED on ${name}:1, 1 running (0 s)\n`),
      ].join(''),
    );
  });

  test('the default timeout is the longest deployment.timeoutMinutes of the config', async () => {
    const minutes = Math.max(...dev().services.map((s) => s.deployment.timeoutMinutes));
    const { c } = recorded([described([primary('IN_PROGRESS'), previous])]);
    const clock = fakeClock();
    const t0 = clock.now();
    await expect(run(['wait', 'dev'], io().io, () => c, clock)).rejects.toThrow(`timed out after ${minutes} min`);
    expect(clock.now() - t0).toBeLessThanOrEqual(minutes * 60_000);
    expect(clock.now() - t0).toBeGreaterThan(minutes * 60_000 - 60_000);
  });
});

describe('wake and wait arguments', () => {
  test.each([
    [['wake'], 'usage: npm run ops -- wake <env> [<minutes>]'],
    [['wait', 'dev', '5', 'more'], 'usage: npm run ops -- wait <env> [<minutes>]'],
  ])('%j: %s', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(new OpsError(message));
  });

  test('minutes must be a whole number from 1 to 180, checked before any call', async () => {
    const sent: { call: string; input: any }[] = [];
    await expect(run(['wait', 'dev', '0'], io().io, () => fakeClients({}, sent), fakeClock())).rejects.toThrow(
      'minutes = "0": expected a whole number from 1 to 180',
    );
    await expect(run(['wake', 'dev', 'soon'], io().io, () => fakeClients({}, sent), fakeClock())).rejects.toThrow(
      'minutes = "soon": expected a whole number from 1 to 180',
    );
    expect(sent).toEqual([]);
  });

  test("an unknown environment is the config's error", async () => {
    await expect(run(['wake', 'stage'], io().io, () => fakeClients({}), fakeClock())).rejects.toThrow(
      'environment "stage": name = "stage" is not allowed',
    );
  });
});
