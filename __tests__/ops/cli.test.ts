import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Clients, OpsError } from '../../tools/ops/aws';
import { describeFailure, parseArgs, run } from '../../tools/ops/cli';
import { ENVIRONMENTS } from '../../src/environments';
import { blueGreenNames, environmentStackName, serviceResourceName } from '../../src/shared/names';
import { selectEnvironments } from '../../src/environment/select';

// tools/ops finds an environment by name in src/environments.ts; these cases know the demo's dev, so it (and ENVIRONMENTS here) reads the demo.
jest.mock('../../src/environments', () => {
  const demo = jest.requireActual('../../tools/cost/demo-environments');
  return { ENVIRONMENTS: demo.DEMO_ENVIRONMENTS, DEFAULT_ENVIRONMENTS: demo.DEMO_DEFAULT_ENVIRONMENTS };
});
/** What the command run as its own process reads: the team's environments. */
const team = jest.requireActual<typeof import('../../src/environments')>('../../src/environments');

/** Clients whose every call answers from `answers` by command name (e.g. DescribeClustersCommand). */
function fakeClients(answers: Record<string, (input: any) => unknown>, sent: string[] = []): Clients {
  const client = {
    send: async (command: { constructor: { name: string }; input: unknown }) => {
      const name = command.constructor.name;
      sent.push(name);
      const answer = answers[name];
      if (!answer) throw new Error(`unexpected ${name}`);
      return answer(command.input);
    },
  };
  return { ecs: client, elb: client, cloudwatch: client, autoscaling: client, appAutoscaling: client } as unknown as Clients;
}

const io = () => {
  const out: string[] = [];
  return { out, io: { out: (t: string) => out.push(t), interactive: () => 0 } };
};

describe('ops arguments', () => {
  test.each([
    [
      ['frobnicate', 'dev'],
      'unknown command "frobnicate"; one of status, events, scale, redeploy, exec, wake, wait (npm run ops -- --help)',
    ],
    [['status'], 'usage: npm run ops -- status <env>'],
    [['scale', 'dev', 'host-name'], 'usage: npm run ops -- scale <env> <service> <n>'],
    [['redeploy', 'dev', 'host-name', 'extra'], 'usage: npm run ops -- redeploy <env> <service>'],
  ])('%j: %s', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(new OpsError(message));
  });

  test('--help, -h, help and nothing all ask for the usage', () => {
    for (const argv of [['--help'], ['-h'], ['help'], [], ['status', '--help']]) expect(parseArgs(argv).command).toBe('help');
  });

  test('scale: a count that is not a whole number is refused before any call', async () => {
    const sent: string[] = [];
    await expect(run(['scale', 'dev', 'host-name', '1.5'], io().io, () => fakeClients({}, sent))).rejects.toThrow(
      'n = "1.5": expected a whole number from 0 to 1000',
    );
    expect(sent).toEqual([]);
  });

  test("an unknown environment is the config's error, naming both kinds of name", async () => {
    const known = Object.keys(ENVIRONMENTS);
    await expect(run(['status', 'stage'], io().io, () => fakeClients({}))).rejects.toThrow(
      `environment "stage": name = "stage" is not allowed; expected an environment: one of ${[...known, ...known.map(environmentStackName)].join(', ')}`,
    );
  });
});

describe('ops against fake AWS answers', () => {
  test('status of an environment that is not deployed: one line naming the cluster', async () => {
    const run1 = run(['status', 'dev'], io().io, () =>
      fakeClients({ DescribeClustersCommand: () => ({ clusters: [], failures: [{ reason: 'MISSING' }] }) }),
    );
    await expect(run1).rejects.toThrow(
      'environment "dev" is not deployed in us-east-1: no active ECS cluster host-name-dev-cluster (deploy it with npm run deploy -- dev)',
    );
  });

  test("an environment's stack name means the environment", async () => {
    const sent: string[] = [];
    const run1 = run(['status', environmentStackName('dev')], io().io, () =>
      fakeClients({ DescribeClustersCommand: () => ({ clusters: [], failures: [{ reason: 'MISSING' }] }) }, sent),
    );
    await expect(run1).rejects.toThrow('environment "dev" is not deployed in us-east-1');
    expect(sent).toEqual(['DescribeClustersCommand']);
  });

  const deployed = (desired: number) => ({
    DescribeClustersCommand: () => ({ clusters: [{ clusterName: 'host-name-dev-cluster', status: 'ACTIVE' }] }),
    DescribeServicesCommand: (input: { services: string[] }) => ({
      services: input.services.map((s) => ({ serviceName: s, status: 'ACTIVE', desiredCount: desired })),
    }),
    DescribeScalableTargetsCommand: (input: { ResourceIds: string[] }) => ({
      ScalableTargets: input.ResourceIds.map((id) => ({ ResourceId: id, MinCapacity: 1, MaxCapacity: 2 })),
    }),
    UpdateServiceCommand: (input: unknown) => ({ service: input }),
  });

  test('scale within the autoscaling bounds updates the desired count, and says autoscaling may move it', async () => {
    const { out, io: o } = io();
    const sent: string[] = [];
    expect(await run(['scale', 'dev', 'host-name', '2'], o, () => fakeClients(deployed(1), sent))).toBe(0);
    expect(sent).toContain('UpdateServiceCommand');
    expect(out.join('')).toBe('host-name: desired count 1 -> 2 (autoscaling keeps it within 1-2 and may change it after its cooldowns)\n');
  });

  test('scale outside the bounds names the config fields and changes nothing', async () => {
    const sent: string[] = [];
    await expect(run(['scale', 'dev', 'host-name', '5'], io().io, () => fakeClients(deployed(1), sent))).rejects.toThrow(
      "5 tasks is outside host-name's autoscaling bounds 1-2; change services.host-name.scaling.minTasks/maxTasks in the config and deploy",
    );
    expect(sent).not.toContain('UpdateServiceCommand');
  });

  test('redeploy of a blue-green service: ECS refuses forceNewDeployment there; the line names the command that deploys it', async () => {
    const [micro] = selectEnvironments(['microservices']);
    const blue = micro.services.find((x) => x.deployment.blueGreen)!.name;
    const sent: string[] = [];
    await expect(run(['redeploy', 'microservices', blue], io().io, () => fakeClients(deployed(1), sent))).rejects.toThrow(
      new OpsError(
        `service "${blue}" of environment "microservices" deploys blue/green and ECS refuses forceNewDeployment on it: npm run release -- deploy microservices ${blue}`,
      ),
    );
    expect(sent).toEqual([]);
  });

  test('status of a blue-green service: its task sets, and its targets in both target groups', async () => {
    const [micro] = selectEnvironments(['microservices']);
    const blue = micro.services.find((x) => x.deployment.blueGreen)!.name;
    const second = blueGreenNames(micro.namePrefix, blue).alternateTargetGroup;
    const answers = {
      DescribeClustersCommand: () => ({ clusters: [{ clusterName: 'c', status: 'ACTIVE', runningTasksCount: 4 }] }),
      DescribeServicesCommand: (input: { services: string[] }) => ({
        services: input.services.map((name) => ({
          serviceName: name,
          status: 'ACTIVE',
          desiredCount: 1,
          runningCount: 1,
          ...(name === blue
            ? {
                taskSets: [
                  {
                    status: 'PRIMARY',
                    stabilityStatus: 'STEADY_STATE',
                    taskDefinition: `arn:aws:ecs:us-east-1:1:task-definition/${name}:2`,
                    computedDesiredCount: 1,
                    runningCount: 1,
                  },
                  {
                    status: 'ACTIVE',
                    stabilityStatus: 'STABILIZING',
                    taskDefinition: `arn:aws:ecs:us-east-1:1:task-definition/${name}:1`,
                    computedDesiredCount: 1,
                    runningCount: 1,
                  },
                ],
              }
            : {}),
        })),
      }),
      DescribeTargetGroupsCommand: (input: { Names: string[] }) => ({ TargetGroups: [{ TargetGroupArn: `arn:tg/${input.Names[0]}` }] }),
      // The replacement's targets on the second group, the draining original's on the first.
      DescribeTargetHealthCommand: (input: { TargetGroupArn: string }) => ({
        TargetHealthDescriptions:
          input.TargetGroupArn === `arn:tg/${second}`
            ? [{ TargetHealth: { State: 'healthy' } }]
            : input.TargetGroupArn === `arn:tg/${serviceResourceName(micro.namePrefix, blue)}`
              ? [{ TargetHealth: { State: 'draining' } }]
              : [],
      }),
      DescribeScalableTargetsCommand: () => ({ ScalableTargets: [] }),
      DescribeAutoScalingGroupsCommand: () => ({ AutoScalingGroups: [] }),
      ListContainerInstancesCommand: () => ({ containerInstanceArns: [] }),
      DescribeAlarmsCommand: () => ({ MetricAlarms: [] }),
    };
    const { out, io: o } = io();
    expect(await run(['status', 'microservices'], o, () => fakeClients(answers))).toBe(0);
    const lines = out.join('').split('\n');
    const at = lines.findIndex((l) => l.startsWith(`  ${blue}:`));
    expect(lines[at]).toBe(`  ${blue}: 1/1 running, 0 pending; targets: 1 draining, 1 healthy`);
    expect(lines[at + 1]).toMatch(new RegExp(`^    PRIMARY +STEADY_STATE +${blue}:2  1/1 running, 0 pending$`));
    expect(lines[at + 2]).toMatch(new RegExp(`^    ACTIVE +STABILIZING +${blue}:1  1/1 running, 0 pending$`));
  });

  test('a service the environment does not have', async () => {
    await expect(run(['redeploy', 'dev', 'orders'], io().io, () => fakeClients(deployed(1)))).rejects.toThrow(
      'environment "dev" has no service "orders" (it has host-name)',
    );
  });
});

describe('failures become one line', () => {
  test('no credentials, AWS refusing, unreachable endpoint; a bug is not hidden', () => {
    expect(
      describeFailure(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' })),
    ).toBe('no AWS credentials: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or run aws sso login');
    expect(describeFailure(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException', $metadata: {} }))).toBe(
      'AWS refused: AccessDeniedException: User is not authorized',
    );
    expect(describeFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe(
      'cannot reach AWS: connect ECONNREFUSED 127.0.0.1:1',
    );
    expect(describeFailure(new TypeError('x is undefined'))).toBeUndefined();
  });

  test('the command without credentials: exit 2, one line on stderr, nothing on stdout', () => {
    const root = resolve(__dirname, '..', '..');
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
    const r = spawnSync(
      process.execPath,
      [
        '--require',
        require.resolve('tsx/cjs'),
        join(root, 'tools', 'ops', 'cli.ts'),
        'status',
        team.DEFAULT_ENVIRONMENTS[0] ?? Object.keys(team.ENVIRONMENTS)[0],
      ],
      {
        env: { ...env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true' },
        encoding: 'utf8',
      },
    );
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
      status: 2,
      stdout: '',
      stderr: 'error: no AWS credentials: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or run aws sso login\n',
    });
  }, 60_000);
});
