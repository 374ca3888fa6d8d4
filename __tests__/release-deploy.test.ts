/**
 * `npm run release -- deploy <env> <service>` against recorded CodeDeploy and ECS responses
 * (__tests__/fixtures/codedeploy/), served to the real SDK clients: what it reads from the synthesized
 * stack, the AppSpec it sends, and its verdict on a deployment that succeeds, fails, or an alarm stops.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EnvironmentSettings } from '../src/environment/config';
import { ConfigError, resolveEnvironment } from '../src/environment/resolve';
import { selectEnvironments } from '../src/environment/select';
import { blueGreenNames, environmentNames, serviceResourceName } from '../src/shared/names';
import { Clock, DeploymentFailed, OpsError } from '../tools/ops/aws';
import { parseDeploy, run, USAGE } from '../tools/release/cli';
import {
  appSpec,
  blueGreenServices,
  deployBlueGreen,
  DeployClients,
  deployTimeoutMinutes,
  readBlueGreenTarget,
  readStack,
} from '../tools/release/deploy';
import { synthStack } from './support/stacks';

// Real SDK clients here: the SDK's notice about its releases after January 2027 is not about this test.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const FIXTURES = join(__dirname, 'fixtures', 'codedeploy');
const recorded = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/cart:2.0.0';
const REVISION = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/host-name-shop-cart:${n}`;

/** An environment of its own: cart deploys blue/green (linear, with an approval wait), web rolls. */
const SHOP: EnvironmentSettings = {
  vpcCidr: '10.50.0.0/16',
  allowPlainHttp: true,
  instanceType: 't3.small',
  capacity: { min: 1, max: 2 },
  services: {
    cart: {
      image: { uri: IMAGE },
      routing: { pathPatterns: ['/cart*'] },
      container: { port: 3000, cpu: 256, memoryMiB: 256 },
      deployment: { strategy: 'blue-green', trafficShift: 'linear', approvalWaitMinutes: 30, blueTerminationWaitMinutes: 5 },
    },
    web: { image: { uri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.0.0' }, routing: { default: true } },
  },
};
const shop = () => resolveEnvironment('shop', SHOP);
const shopStack = () => synthStack(shop()).json;

/** A recorded answer: a 200 body, or an error's status and body. */
type Answer = string | { status: number; body: string };

/** Real SDK clients whose requests go to `answer` (by X-Amz-Target) instead of AWS; each request's target and body is kept. */
function recordedClients(answer: (target: string, n: number) => Answer, sent: { target: string; body: any }[] = []): DeployClients {
  const handler = {
    handle: async (request: { headers: Record<string, string>; body: unknown }) => {
      const target = request.headers['x-amz-target'].split('.')[1];
      sent.push({ target, body: JSON.parse(new TextDecoder().decode(request.body as Uint8Array)) });
      const a = answer(target, sent.filter((s) => s.target === target).length);
      const { status, body } = typeof a === 'string' ? { status: 200, body: a } : a;
      return {
        response: {
          statusCode: status,
          headers: { 'content-type': 'application/x-amz-json-1.1' },
          body: Readable.from([Buffer.from(body)]),
        },
      };
    },
  };
  const options = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, requestHandler: handler as never };
  return { codedeploy: new CodeDeployClient(options), ecs: new ECSClient(options) };
}

/** ECS answers as recorded (the service serving revision `serving`), CodeDeploy's GetDeployment in the order given (the last repeats). */
function deployment(statuses: readonly string[], serving = 6) {
  return (target: string, n: number): Answer => {
    switch (target) {
      case 'DescribeTaskDefinition':
        return recorded('ecs-describe-task-definition.json');
      case 'DescribeServices':
        return recorded(`ecs-describe-services-serving-${serving}.json`);
      case 'CreateDeployment':
        return recorded('create-deployment.json');
      case 'GetDeployment':
        return recorded(`get-deployment-${statuses[Math.min(n, statuses.length) - 1]}.json`);
      default:
        throw new Error(`unexpected ${target}`);
    }
  };
}

function fakeClock(): Clock & { slept: number } {
  let now = Date.parse('2026-12-03T05:00:00Z');
  const clock = { slept: 0, now: () => now, sleep: async (ms: number) => void ((now += ms), clock.slept++) };
  return clock;
}

async function deploy(statuses: readonly string[], options: { serving?: number; timeoutMs?: number; taskDefinition?: string } = {}) {
  const sent: { target: string; body: any }[] = [];
  const lines: string[] = [];
  const config = shop();
  const clients = recordedClients(deployment(statuses, options.serving), sent);
  const result = deployBlueGreen(clients, config, readBlueGreenTarget(shopStack(), config, 'cart'), {
    clock: fakeClock(),
    timeoutMs: options.timeoutMs ?? 60 * 60_000,
    progress: (l) => lines.push(l),
    taskDefinition: options.taskDefinition,
  }).then(
    () => undefined,
    (error: unknown) => error,
  );
  return { error: await result, sent, lines };
}

describe('what deploy reads from the synthesized stack', () => {
  test("the blue-green service's CodeDeploy names, container, capacity provider and image", () => {
    const config = shop();
    const names = blueGreenNames(config.namePrefix, 'cart');
    expect(readBlueGreenTarget(shopStack(), config, 'cart')).toEqual({
      service: 'cart',
      cluster: environmentNames(config.namePrefix).cluster,
      application: names.application,
      deploymentGroup: names.deploymentGroup,
      family: serviceResourceName(config.namePrefix, 'cart'),
      containerName: 'cart',
      containerPort: 3000,
      capacityProviderStrategy: [{ CapacityProvider: environmentNames(config.namePrefix).capacityProvider, Weight: 1, Base: 0 }],
      image: IMAGE,
    });
  });

  test("with Spot, the AppSpec's strategy: the service's minTasks on on-demand, the rest weight:1 on Spot", () => {
    const config = resolveEnvironment('shop', { ...SHOP, spot: { enabled: true } });
    const target = readBlueGreenTarget(synthStack(config).json, config, 'cart');
    const names = environmentNames(config.namePrefix);
    const minTasks = config.services.find((s) => s.name === 'cart')!.scaling.minTasks;
    expect(target.capacityProviderStrategy).toEqual([
      { CapacityProvider: names.capacityProvider, Weight: 1, Base: minTasks },
      { CapacityProvider: names.spotCapacityProvider, Weight: config.spot.weight, Base: 0 },
    ]);
    expect(JSON.parse(appSpec(target, REVISION(7))).Resources[0].TargetService.Properties.CapacityProviderStrategy).toEqual(
      target.capacityProviderStrategy,
    );
  });

  test('a rolling service, an unknown one: one line naming the blue-green services', () => {
    const message = `environment "shop": service = "web" is not allowed; expected a blue-green service of shop: one of cart`;
    expect(() => readBlueGreenTarget(shopStack(), shop(), 'web')).toThrow(
      new ConfigError('shop', 'service', 'web', 'a blue-green service of shop: one of cart'),
    );
    expect(() => readBlueGreenTarget(shopStack(), shop(), 'web')).toThrow(message);
  });

  test('a stack synthesized before the service was blue-green, and no stack at all', () => {
    const rolling = synthStack(
      resolveEnvironment('shop', { ...SHOP, services: { ...SHOP.services, cart: { ...SHOP.services!.cart, deployment: {} } } }),
    );
    expect(() => readBlueGreenTarget(rolling.json, shop(), 'cart')).toThrow(
      'environment "shop": stack = "cart without a CODE_DEPLOY service and deployment group" is not allowed; expected a stack synthesized from this code: npm run synth -- shop',
    );
    expect(() => readStack(shop(), join(tmpdir(), 'no-such-stack'))).toThrow(
      `environment "shop": stack = "${join(tmpdir(), 'no-such-stack', 'cdk.tf.json')}" is not allowed; expected a synthesized stack: run npm run synth -- shop first`,
    );
  });

  test('the AppSpec: version 0.0, the task definition, the container behind the load balancer, the capacity providers', () => {
    const target = readBlueGreenTarget(shopStack(), shop(), 'cart');
    expect(appSpec(target, REVISION(7))).toBe(
      '{"version":0.0,"Resources":[{"TargetService":{"Type":"AWS::ECS::Service","Properties":{"TaskDefinition":' +
        `"${REVISION(7)}","LoadBalancerInfo":{"ContainerName":"cart","ContainerPort":3000},` +
        '"CapacityProviderStrategy":[{"CapacityProvider":"host-name-shop-ec2","Weight":1,"Base":0}]}}}]}',
    );
  });

  test('the wait: the approval window, the traffic shift, the blue termination wait, and slack for the tasks to start', () => {
    expect(deployTimeoutMinutes(shop(), 'cart')).toBe(30 + 10 + 5 + 15);
  });

  test('blue-green lists exactly the blue-green services, one a line', () => {
    expect(blueGreenServices(shop())).toEqual(['cart']);
    const [micro] = selectEnvironments(['microservices']);
    const lines: string[] = [];
    run(['blue-green', 'host-name-microservices'], (t) => lines.push(t));
    expect(lines).toEqual(micro.services.filter((s) => s.deployment.strategy === 'blue-green').map((s) => `${s.name}\n`));
  });
});

describe('deploy against recorded CodeDeploy responses', () => {
  test('success: registers nothing, sends the AppSpec of the latest revision, waits until Succeeded', async () => {
    const { error, sent, lines } = await deploy(['in-progress', 'in-progress', 'succeeded']);
    expect(error).toBeUndefined();
    const create = sent.find((s) => s.target === 'CreateDeployment')!.body;
    const target = readBlueGreenTarget(shopStack(), shop(), 'cart');
    const content = appSpec(target, REVISION(7));
    expect(create).toEqual({
      applicationName: target.application,
      deploymentGroupName: target.deploymentGroup,
      revision: {
        revisionType: 'AppSpecContent',
        appSpecContent: { content, sha256: createHash('sha256').update(content).digest('hex') },
      },
      description: 'npm run release -- deploy shop cart: host-name-shop-cart:6 -> host-name-shop-cart:7',
    });
    expect(sent.map((s) => s.target)).toEqual([
      'DescribeTaskDefinition',
      'DescribeServices',
      'CreateDeployment',
      'GetDeployment',
      'GetDeployment',
      'GetDeployment',
    ]);
    expect(lines).toEqual([
      'cart: deployment d-7K2Q9XWPB of host-name-shop-cart:7 (was host-name-shop-cart:6) created',
      'cart: deployment d-7K2Q9XWPB InProgress (0 s)',
      'cart: deployment d-7K2Q9XWPB Succeeded (30 s)',
    ]);
  });

  test('failure: Failed, with the error and the rollback CodeDeploy started', async () => {
    const { error } = await deploy(['in-progress', 'failed']);
    expect(error).toBeInstanceOf(DeploymentFailed);
    expect((error as Error).message).toBe(
      "cart: deployment d-7K2Q9XWPB Failed (ECS_UPDATE_ERROR: The ECS service cannot be updated due to an unexpected error: The replacement task set did not reach a steady state within the deployment's time limit.); CodeDeploy rolled it back in deployment d-QJ5TSG9XB, traffic on the original task set",
    );
  });

  test('an alarm stops it: Stopped, ALARM_ACTIVE, rolled back', async () => {
    const { error } = await deploy(['in-progress', 'stopped-alarm']);
    expect(error).toBeInstanceOf(DeploymentFailed);
    expect((error as Error).message).toMatch(
      /^cart: deployment d-7K2Q9XWPB Stopped \(ALARM_ACTIVE: .*Activated alarms: <host-name-shop-cart-target-5xx>\); CodeDeploy rolled it back in deployment d-5C2GTS8XB, traffic on the original task set$/,
    );
  });

  test('waiting for approval: says how to approve, and goes on waiting', async () => {
    const { error, lines } = await deploy(['ready', 'ready', 'in-progress', 'succeeded']);
    expect(error).toBeUndefined();
    expect(lines[1]).toBe(
      'cart: deployment d-7K2Q9XWPB Ready: the replacement is up behind the test listener; approve with aws deploy continue-deployment --deployment-id d-7K2Q9XWPB --deployment-wait-type READY_WAIT (0 s)',
    );
    expect(lines.filter((l) => l.includes(' Ready'))).toHaveLength(1);
  });

  test('a deployment that does not end in time fails, naming its last status', async () => {
    const { error } = await deploy(['in-progress'], { timeoutMs: 60_000 });
    expect(error).toBeInstanceOf(DeploymentFailed);
    expect((error as Error).message).toBe(
      "timed out after 1 min: cart's deployment d-7K2Q9XWPB is still InProgress (aws deploy get-deployment --deployment-id d-7K2Q9XWPB)",
    );
  });

  test('the service already runs the revision: no deployment', async () => {
    const { error, sent, lines } = await deploy([], { serving: 7 });
    expect(error).toBeUndefined();
    expect(sent.map((s) => s.target)).not.toContain('CreateDeployment');
    expect(lines).toEqual(['cart already runs host-name-shop-cart:7: nothing to deploy']);
  });

  test('a latest revision whose image is not the synthesized one: apply first, no deployment', async () => {
    const other = { ...SHOP, services: { ...SHOP.services, cart: { ...SHOP.services!.cart, image: { uri: `${IMAGE}-rc1` } } } };
    const config = resolveEnvironment('shop', other);
    const sent: { target: string; body: any }[] = [];
    const run = deployBlueGreen(
      recordedClients(deployment([]), sent),
      config,
      readBlueGreenTarget(synthStack(config).json, config, 'cart'),
      {
        clock: fakeClock(),
        timeoutMs: 60_000,
        progress: () => {},
      },
    );
    await expect(run).rejects.toThrow(
      new OpsError(`cart: host-name-shop-cart:7 runs ${IMAGE}, the synthesized stack ${IMAGE}-rc1: apply shop first`),
    );
    expect(sent.map((s) => s.target)).toEqual(['DescribeTaskDefinition']);
  });

  test('a given task definition is deployed as given', async () => {
    const { sent } = await deploy(['succeeded'], { taskDefinition: REVISION(7) });
    expect(sent[0]).toEqual({ target: 'DescribeTaskDefinition', body: { taskDefinition: REVISION(7) } });
  });

  test('another deployment still active: CodeDeploy refuses, and so does deploy', async () => {
    const busy = (target: string, n: number): Answer =>
      target === 'CreateDeployment' ? { status: 400, body: recorded('deployment-limit-exceeded.json') } : deployment([])(target, n);
    const config = shop();
    const run = deployBlueGreen(recordedClients(busy), config, readBlueGreenTarget(shopStack(), config, 'cart'), {
      clock: fakeClock(),
      timeoutMs: 60_000,
      progress: () => {},
    });
    await expect(run).rejects.toMatchObject({ name: 'DeploymentLimitExceededException' });
  });
});

describe('the command line', () => {
  test('arguments: the usage in one line; options by name', () => {
    const usage = USAGE.replace('usage: ', '');
    expect(() => parseDeploy(['deploy', 'microservices'])).toThrow(new ConfigError('release', 'arguments', 'deploy microservices', usage));
    expect(() => parseDeploy(['deploy', 'microservices', 'users', '--force'])).toThrow(ConfigError);
    expect(() => parseDeploy(['deploy', 'microservices', 'users', '--timeout-minutes', '0'])).toThrow(
      'environment "release": --timeout-minutes = "0" is not allowed; expected a whole number of minutes from 1 to 6000',
    );
    expect(parseDeploy(['deploy', 'microservices', 'users', '--task-definition', REVISION(3), '--timeout-minutes', '45'])).toEqual({
      env: 'microservices',
      service: 'users',
      taskDefinition: REVISION(3),
      stackDir: undefined,
      timeoutMinutes: 45,
    });
  });

  /** Runs `npm run release -- deploy ...` as a process against a local endpoint serving `answer`; its exit code and output. */
  async function cli(args: string[], answer: (target: string, n: number) => Answer) {
    const counts: Record<string, number> = {};
    const server = createServer((req, res) => {
      const target = String(req.headers['x-amz-target']).split('.')[1];
      req.resume().on('end', () => {
        counts[target] = (counts[target] ?? 0) + 1;
        const a = answer(target, counts[target]);
        const { status, body } = typeof a === 'string' ? { status: 200, body: a } : a;
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(body);
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const dir = mkdtempSync(join(tmpdir(), 'release-deploy-'));
    try {
      mkdirSync(join(dir, 'stack'));
      writeFileSync(join(dir, 'stack', 'cdk.tf.json'), JSON.stringify(synthStack(micro).json));
      const root = resolve(__dirname, '..');
      const child = spawn(
        process.execPath,
        [
          join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
          join(root, 'tools', 'release', 'cli.ts'),
          ...args,
          '--stack-dir',
          join(dir, 'stack'),
        ],
        {
          env: {
            ...process.env,
            AWS_ENDPOINT_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
            AWS_ACCESS_KEY_ID: 'test',
            AWS_SECRET_ACCESS_KEY: 'test',
            AWS_CONFIG_FILE: '/dev/null',
            AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          },
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((ok) => child.on('close', ok));
      return { code, stdout, stderr };
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const GIVEN = ['--task-definition', REVISION(7), '--timeout-minutes', '1'];
  // Whatever the example environment's services are: one blue-green, one rolling.
  const [micro] = selectEnvironments(['microservices']);
  const blue = blueGreenServices(micro)[0];
  const rolling = micro.services.find((s) => !s.deployment.blueGreen)!.name;

  test('a deployment an alarm stopped and CodeDeploy rolled back: exit 1, one line on stderr', async () => {
    const r = await cli(['deploy', 'microservices', blue, ...GIVEN], deployment(['stopped-alarm']));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^error: ${blue}: deployment d-7K2Q9XWPB Stopped \\(ALARM_ACTIVE: .*\\); CodeDeploy rolled it back in deployment d-5C2GTS8XB, traffic on the original task set\\n$`,
      ),
    );
  }, 60_000);

  test('a failed deployment: exit 1; a successful one: exit 0', async () => {
    expect((await cli(['deploy', 'microservices', blue, ...GIVEN], deployment(['failed']))).code).toBe(1);
    const ok = await cli(['deploy', 'microservices', blue, ...GIVEN], deployment(['succeeded']));
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(ok.stdout).toContain(`${blue}: deployment d-7K2Q9XWPB Succeeded`);
  }, 60_000);

  test('a rolling service: exit 2, one line', async () => {
    const r = await cli(['deploy', 'microservices', rolling], deployment([]));
    expect(r).toMatchObject({
      code: 2,
      stderr: `error: environment "microservices": service = "${rolling}" is not allowed; expected a blue-green service of microservices: one of ${blueGreenServices(micro).join(', ')}\n`,
    });
  }, 60_000);
});
