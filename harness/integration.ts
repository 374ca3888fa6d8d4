/**
 * `npm run test:integration [-- ENV...]`: a real `terraform apply` and `terraform destroy` of
 * whole environments against moto, with checks through the AWS CLI in between. Default: every
 * environment, in parallel (one moto).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentConfig } from '../constructs/config';
import { ENVIRONMENTS, selectEnvironments } from '../constructs/environments';
import { Emulator, findMoto, startEmulator } from './emulator';
import { EMULATOR_IMAGE_URI, synthEmulatorStack } from './emulator-stack';
import {
  firstError,
  HarnessError,
  prepareTerraform,
  RunResult,
  runHarness,
  seconds,
  terraform,
  TerraformSetup,
  WORK_DIR,
} from './terraform';

const OUT_DIR = join(WORK_DIR, 'integration');

/** Fake credentials only, and nothing from the developer's own AWS profile or session. */
function emulatorAwsEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
  for (const name of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE']) {
    delete env[name];
  }
  return env;
}

/** AWS CLI output, read field by field. */
type Json = any;

/** One environment's checks and log, printed as a block when it is done (environments run in parallel). */
class Checks {
  passed = 0;
  failed = 0;
  readonly lines: string[] = [];

  log(line: string): void {
    this.lines.push(line);
  }

  /** Runs one check; a thrown error is its failure reason. Returns false when it failed. */
  run(name: string, check: () => string | void): boolean {
    try {
      const detail = check();
      this.passed++;
      this.log(`PASS ${name}${detail ? `: ${detail}` : ''}`);
      return true;
    } catch (error) {
      this.failed++;
      this.log(`FAIL ${name}: ${(error as Error).message}`);
      return false;
    }
  }
}

function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function same(actual: readonly string[], expected: readonly string[]): boolean {
  return actual.length === expected.length && [...actual].sort().join() === [...expected].sort().join();
}

/** The AWS CLI against the emulator; parsed JSON output. */
function awsCli(endpoint: string, region: string) {
  return (...args: string[]): Json => {
    const r = spawnSync('aws', ['--endpoint-url', endpoint, '--region', region, '--output', 'json', ...args], {
      env: emulatorAwsEnv(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (r.error || r.status !== 0) throw new Error(`aws ${args.slice(0, 2).join(' ')} failed: ${(r.stderr || String(r.error)).trim()}`);
    return r.stdout.trim() ? JSON.parse(r.stdout) : {};
  };
}

function requireAwsCli(): string {
  const r = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new HarnessError('the AWS CLI (`aws`) is not on PATH; install awscli');
  return (r.stdout || r.stderr).trim().split(' ')[0];
}

/** "# aws_x.y will be updated in-place" lines of a plan, as "aws_x.y (updated in-place)". */
function plannedChanges(output: string): string[] {
  return [...output.matchAll(/^\s*# (\S+) (?:will be|must be) (.+)$/gm)].map((m) => `${m[1]} (${m[2]})`);
}

/** Caches a lookup: checks share it, and one that fails fails only the checks that need it. */
function memo<T>(lookup: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: lookup() }).v;
}

/** Reads what apply created and checks it against the environment's config. */
function checkDeployment(checks: Checks, aws: (...args: string[]) => Json, config: EnvironmentConfig): void {
  const p = config.namePrefix;
  const cluster = `${p}-cluster`;
  const serviceName = 'host-name';

  const vpc = memo(() => {
    const vpcs = aws('ec2', 'describe-vpcs', '--filters', `Name=tag:Name,Values=${p}-vpc`).Vpcs;
    expect(vpcs.length === 1, `expected one VPC named ${p}-vpc, found ${vpcs.length}`);
    return vpcs[0];
  });
  /** Subnets of one tier (Tier tag), one per AZ in AZ order. */
  const subnets = memo(() => {
    const all: Json[] = aws('ec2', 'describe-subnets', '--filters', `Name=vpc-id,Values=${vpc().VpcId}`).Subnets;
    const tier = (s: Json) => s.Tags?.find((t: Json) => t.Key === 'Tier')?.Value;
    const byTier = (t: string): Json[] =>
      config.availabilityZones.map((az) => {
        const found = all.filter((s) => s.AvailabilityZone === az && tier(s) === t);
        expect(found.length === 1, `expected one ${t} subnet in ${az}, found ${found.length}`);
        return found[0];
      });
    return { publics: byTier('public'), privates: byTier('private') };
  });
  const ids = (list: Json[]): string[] => list.map((s) => s.SubnetId);
  const loadBalancer = memo(() => aws('elbv2', 'describe-load-balancers', '--names', `${p}-alb`).LoadBalancers[0]);
  const targetGroup = memo(() => aws('elbv2', 'describe-target-groups', '--names', `${p}-tg`).TargetGroups[0]);
  const asg = memo(() => {
    const group = aws('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', `${p}-instances`).AutoScalingGroups[0];
    expect(group, `no Auto Scaling group ${p}-instances`);
    return group;
  });

  checks.run('network: a public and a private subnet per AZ, private default routes through NAT', () => {
    const v = vpc();
    expect(v.CidrBlock === config.vpcCidr, `VPC CIDR ${v.CidrBlock}, expected ${config.vpcCidr}`);
    const { publics, privates } = subnets();
    const tables: Json[] = aws('ec2', 'describe-route-tables', '--filters', `Name=vpc-id,Values=${v.VpcId}`).RouteTables;
    const nats: Json[] = aws('ec2', 'describe-nat-gateways', '--filter', `Name=vpc-id,Values=${v.VpcId}`).NatGateways;
    const defaultRoute = (subnet: Json) => {
      const table = tables.find((t) => t.Associations?.some((a: Json) => a.SubnetId === subnet.SubnetId));
      expect(table, `subnet ${subnet.SubnetId} has no route table`);
      const route = table.Routes.find((r: Json) => r.DestinationCidrBlock === '0.0.0.0/0');
      expect(route, `route table ${table.RouteTableId} has no default route`);
      return route;
    };
    for (const subnet of publics) {
      expect(defaultRoute(subnet).GatewayId?.startsWith('igw-'), `public subnet ${subnet.SubnetId} does not route through the internet gateway`);
    }
    const natIds = new Set<string>();
    privates.forEach((subnet, i) => {
      const nat = nats.find((n) => n.NatGatewayId === defaultRoute(subnet).NatGatewayId);
      expect(nat, `private subnet ${subnet.SubnetId} does not route through a NAT gateway of the VPC`);
      const home = config.natMode === 'per-az' ? publics[i] : publics[0];
      expect(nat.SubnetId === home.SubnetId, `NAT ${nat.NatGatewayId} of ${subnet.AvailabilityZone} sits in ${nat.SubnetId}, expected public subnet ${home.SubnetId}`);
      natIds.add(nat.NatGatewayId);
    });
    return `${config.availabilityZones.join(', ')}; ${natIds.size} NAT gateway(s) (${config.natMode})`;
  });

  checks.run('load balancer: the listener forwards to the target group, which has the configured health check path', () => {
    const lb = loadBalancer();
    expect(lb.Scheme === 'internet-facing', `scheme ${lb.Scheme}`);
    const lbSubnets = lb.AvailabilityZones.map((z: Json) => z.SubnetId);
    expect(same(lbSubnets, ids(subnets().publics)), `ALB subnets ${lbSubnets}, expected the public subnets`);
    const tg = targetGroup();
    const path = config.loadBalancer.healthCheckPath;
    expect(tg.HealthCheckPath === path, `health check path ${tg.HealthCheckPath}, expected ${path}`);
    const listeners: Json[] = aws('elbv2', 'describe-listeners', '--load-balancer-arn', lb.LoadBalancerArn).Listeners;
    const port = config.loadBalancer.certificateArn ? 443 : 80;
    const listener = listeners.find((l) => l.Port === port);
    expect(listener, `no listener on port ${port}`);
    const action = listener.DefaultActions[0];
    expect(action.Type === 'forward' && action.TargetGroupArn === tg.TargetGroupArn, `listener ${port} default action ${JSON.stringify(action)}`);
    return `port ${port} -> ${p}-tg, health check ${path}`;
  });

  if (config.flowLogs) {
    checks.run('network: VPC flow logs go to CloudWatch Logs', () => {
      const logs: Json[] = aws('ec2', 'describe-flow-logs', '--filter', `Name=resource-id,Values=${vpc().VpcId}`).FlowLogs;
      expect(logs.length === 1, `${logs.length} flow logs on the VPC`);
      expect(logs[0].LogDestinationType === 'cloud-watch-logs' && logs[0].TrafficType === 'ALL', JSON.stringify(logs[0]));
      return logs[0].LogGroupName ?? logs[0].LogDestination;
    });
  }

  if (config.loadBalancer.accessLogs) {
    checks.run('load balancer: access logs go to a private bucket that grants ELB delivery', () => {
      const attributes: Json[] = aws('elbv2', 'describe-load-balancer-attributes', '--load-balancer-arn', loadBalancer().LoadBalancerArn).Attributes;
      const attribute = (key: string) => attributes.find((a) => a.Key === key)?.Value;
      expect(attribute('access_logs.s3.enabled') === 'true', 'access logs are not enabled');
      const bucket = attribute('access_logs.s3.bucket');
      expect(bucket?.startsWith(`${p}-alb-logs-`), `access log bucket ${bucket}`);
      const block = aws('s3api', 'get-public-access-block', '--bucket', bucket).PublicAccessBlockConfiguration;
      expect(Object.values(block).every((v) => v === true), `public access block ${JSON.stringify(block)}`);
      const policy = JSON.parse(aws('s3api', 'get-bucket-policy', '--bucket', bucket).Policy);
      const writers = policy.Statement.filter((st: Json) => st.Effect === 'Allow' && st.Action === 's3:PutObject');
      expect(writers.length === 2, `bucket policy grants PutObject in ${writers.length} statements, expected 2`);
      return bucket;
    });
  }

  checks.run('capacity: the ASG uses the private subnets and the launch template, which requires IMDSv2', () => {
    const group = asg();
    const zones = group.VPCZoneIdentifier.split(',');
    expect(same(zones, ids(subnets().privates)), `ASG subnets ${zones}, expected the private subnets`);
    expect(group.MinSize === config.capacity.min && group.MaxSize === config.capacity.max, `ASG size ${group.MinSize}-${group.MaxSize}`);
    const templateId = group.LaunchTemplate?.LaunchTemplateId ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification?.LaunchTemplateId;
    expect(templateId, 'the ASG has no launch template');
    const version = aws('ec2', 'describe-launch-template-versions', '--launch-template-id', templateId, '--versions', '$Latest').LaunchTemplateVersions[0];
    const metadata = version.LaunchTemplateData.MetadataOptions ?? {};
    expect(metadata.HttpTokens === 'required', `launch template HttpTokens ${metadata.HttpTokens}, expected required`);
    return `${zones.length} private subnets, ${templateId} (HttpTokens required)`;
  });

  checks.run('cluster: the capacity provider is the default strategy and scales the ASG', () => {
    const c = aws('ecs', 'describe-clusters', '--clusters', cluster).clusters[0];
    expect(c?.status === 'ACTIVE', `cluster ${cluster} is ${c?.status ?? 'missing'}`);
    const provider = `${p}-ec2`;
    expect(c.capacityProviders?.includes(provider), `cluster capacity providers ${c.capacityProviders}`);
    const strategy = c.defaultCapacityProviderStrategy ?? [];
    expect(strategy.length === 1 && strategy[0].capacityProvider === provider, `default strategy ${JSON.stringify(strategy)}`);
    const cp = aws('ecs', 'describe-capacity-providers', '--capacity-providers', provider).capacityProviders[0];
    expect(cp.autoScalingGroupProvider.autoScalingGroupArn === asg().AutoScalingGroupARN, `capacity provider scales ${cp.autoScalingGroupProvider.autoScalingGroupArn}`);
    return `${provider} -> ${p}-instances`;
  });

  checks.run('service: attached to the target group with the configured desired count', () => {
    const s = aws('ecs', 'describe-services', '--cluster', cluster, '--services', serviceName).services[0];
    expect(s?.status === 'ACTIVE', `service ${serviceName} is ${s?.status ?? 'missing'}`);
    const lb = s.loadBalancers?.[0];
    expect(lb?.targetGroupArn === targetGroup().TargetGroupArn, `service load balancer ${JSON.stringify(s.loadBalancers)}`);
    expect(lb.containerPort === config.task.containerPort, `container port ${lb.containerPort}`);
    expect(s.desiredCount === config.service.desiredCount, `desired count ${s.desiredCount}, expected ${config.service.desiredCount}`);
    const task = aws('ecs', 'describe-task-definition', '--task-definition', s.taskDefinition).taskDefinition;
    expect(task.networkMode === 'bridge', `network mode ${task.networkMode}`);
    expect(task.containerDefinitions[0].image === EMULATOR_IMAGE_URI, `image ${task.containerDefinitions[0].image}`);
    return `desired ${s.desiredCount}, port ${lb.containerPort}`;
  });

  checks.run('scaling: ALBRequestCountPerTarget is tracked at the configured target', () => {
    const resourceId = `service/${cluster}/${serviceName}`;
    const target = aws('application-autoscaling', 'describe-scalable-targets', '--service-namespace', 'ecs', '--resource-ids', resourceId).ScalableTargets[0];
    expect(target, `no scalable target ${resourceId}`);
    const { minTasks, maxTasks, requestsPerTarget } = config.service;
    expect(target.MinCapacity === minTasks && target.MaxCapacity === maxTasks, `scalable target ${target.MinCapacity}-${target.MaxCapacity}, expected ${minTasks}-${maxTasks}`);
    const policies: Json[] = aws('application-autoscaling', 'describe-scaling-policies', '--service-namespace', 'ecs', '--resource-id', resourceId).ScalingPolicies;
    const requests = policies.find((x) => x.TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType === 'ALBRequestCountPerTarget');
    expect(requests, `no ALBRequestCountPerTarget policy among ${policies.map((x) => x.PolicyName)}`);
    const tracking = requests.TargetTrackingScalingPolicyConfiguration;
    expect(tracking.TargetValue === requestsPerTarget, `target value ${tracking.TargetValue}, expected ${requestsPerTarget}`);
    const label = `${loadBalancer().LoadBalancerArn.split(':loadbalancer/')[1]}/${targetGroup().TargetGroupArn.split(':').pop()}`;
    const actual = tracking.PredefinedMetricSpecification.ResourceLabel;
    expect(actual === label, `resource label ${actual}, expected ${label}`);
    return `${requestsPerTarget} requests per target, ${minTasks}-${maxTasks} tasks`;
  });
}

/** What an operator runs by hand against the cluster. */
function checkOperatorCommands(checks: Checks, aws: (...args: string[]) => Json, config: EnvironmentConfig): void {
  const p = config.namePrefix;
  const cluster = `${p}-cluster`;
  checks.run('operator: aws ecs list-clusters / list-services / describe-services', () => {
    const clusters: string[] = aws('ecs', 'list-clusters').clusterArns;
    expect(clusters.some((a) => a.endsWith(`/${cluster}`)), `list-clusters: ${clusters}`);
    const services: string[] = aws('ecs', 'list-services', '--cluster', cluster).serviceArns;
    expect(services.length === 1 && services[0].endsWith('/host-name'), `list-services: ${services}`);
    const described = aws('ecs', 'describe-services', '--cluster', cluster, '--services', services[0]).services;
    expect(described[0]?.serviceName === 'host-name', 'describe-services by ARN found nothing');
  });
  checks.run('operator: aws ecs update-service --desired-count 0', () => {
    aws('ecs', 'update-service', '--cluster', cluster, '--service', 'host-name', '--desired-count', '0');
    const count = aws('ecs', 'describe-services', '--cluster', cluster, '--services', 'host-name').services[0].desiredCount;
    expect(count === 0, `desired count ${count} after update-service`);
  });
  checks.run('operator: aws autoscaling set-desired-capacity', () => {
    const desired = config.capacity.max;
    aws('autoscaling', 'set-desired-capacity', '--auto-scaling-group-name', `${p}-instances`, '--desired-capacity', String(desired));
    const asg = aws('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', `${p}-instances`).AutoScalingGroups[0];
    expect(asg.DesiredCapacity === desired, `desired capacity ${asg.DesiredCapacity}, expected ${desired}`);
    return `desired capacity ${desired}`;
  });
}

/** Runs terraform, keeps its full output in `<dir>/<name>.log`, prints the time taken. */
async function step(checks: Checks, setup: TerraformSetup, dir: string, name: string, args: string[]): Promise<RunResult> {
  const start = performance.now();
  const result = await terraform(setup, dir, [...args, '-input=false', '-no-color']);
  writeFileSync(join(dir, `${name}.log`), result.output);
  const outcome = result.code === 0 || (name === 'plan' && result.code === 2) ? 'done' : 'FAILED';
  checks.log(`terraform ${name}: ${outcome} in ${seconds(start)}`);
  return result;
}

/** Inits run one at a time: the shared plugin cache is not safe for concurrent installs. */
let initQueue: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(task: () => Promise<T>): Promise<T> {
  const run = initQueue.then(task);
  initQueue = run.catch(() => undefined);
  return run;
}

async function runEnvironment(setup: TerraformSetup, emulator: Emulator, environment: string, checks: Checks): Promise<void> {
  const { config, dir } = synthEmulatorStack(environment, emulator.endpoint, join(OUT_DIR, environment));
  checks.log(`== ${environment}: ${config.availabilityZones.length} AZs, NAT ${config.natMode}, image from a URI (the docker provider is not used) ==`);
  const env = { ...setup, env: emulatorAwsEnv(setup.env) };
  const aws = awsCli(emulator.endpoint, config.region);
  const log = (name: string) => join(dir, `${name}.log`);

  const init = await oneAtATime(() => step(checks, env, dir, 'init', ['init']));
  if (!checks.run('terraform init', () => expect(init.code === 0, firstError(init.output)))) return;

  const apply = await step(checks, env, dir, 'apply', ['apply', '-auto-approve']);
  const applied = checks.run('terraform apply', () => {
    expect(apply.code === 0, `${firstError(apply.output)} (log: ${log('apply')})`);
    return /Resources: (\d+) added/.exec(apply.output)?.[0];
  });
  if (applied) {
    checkDeployment(checks, aws, config);
    // moto's answers are not complete enough for an empty re-plan: record the drift, don't assert on it.
    const plan = await step(checks, env, dir, 'plan', ['plan', '-detailed-exitcode']);
    const changes = plannedChanges(plan.output);
    if (plan.code === 1) checks.log(`second plan failed (not asserted): ${firstError(plan.output)}`);
    else checks.log(`second plan (not asserted): ${changes.length === 0 ? 'no changes' : `${changes.length} would change, see ${log('plan')}`}`);
    changes.forEach((c) => checks.log(`  ${c}`));
    checkOperatorCommands(checks, aws, config);
  }

  // Destroy even after a failed apply: it must clean up whatever was created.
  const destroy = await step(checks, env, dir, 'destroy', ['destroy', '-auto-approve']);
  checks.run('terraform destroy leaves an empty state', () => {
    expect(destroy.code === 0, `${firstError(destroy.output)} (log: ${log('destroy')})`);
    const state = spawnSync('terraform', ['state', 'list'], { cwd: dir, env: env.env, encoding: 'utf8' });
    expect(state.status === 0, `terraform state list: ${state.stderr.trim()}`);
    const left = state.stdout.trim();
    expect(left === '', `still in state: ${left.split('\n').join(', ')}`);
    const vpcs = aws('ec2', 'describe-vpcs', '--filters', `Name=tag:Name,Values=${config.namePrefix}-vpc`).Vpcs;
    expect(vpcs.length === 0, `the VPC is still in the emulator`);
    return /Resources: (\d+) destroyed/.exec(destroy.output)?.[0];
  });
}

async function main(): Promise<number> {
  const start = performance.now();
  const named = process.argv.slice(2).filter((a) => a.trim() !== '');
  const environments = [...new Set(named.length > 0 ? named : Object.keys(ENVIRONMENTS))];
  selectEnvironments(environments); // unknown names fail here, before anything starts
  const setup = await prepareTerraform();
  const cli = requireAwsCli();
  const moto = findMoto();
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const emulator = await startEmulator(moto, join(OUT_DIR, 'moto.log'));
  console.log(`terraform ${setup.version}; ${setup.description}`);
  console.log(`moto ${emulator.version} (patched, harness/moto_launcher.py) at ${emulator.endpoint}; ${cli}`);

  let results: Checks[];
  try {
    results = await Promise.all(
      environments.map(async (environment) => {
        const checks = new Checks();
        await runEnvironment(setup, emulator, environment, checks).catch((error) =>
          checks.run('harness', () => {
            throw error;
          }),
        );
        console.log(['', ...checks.lines].join('\n'));
        return checks;
      }),
    );
  } finally {
    emulator.stop();
  }
  const passed = results.reduce((n, c) => n + c.passed, 0);
  const failed = results.reduce((n, c) => n + c.failed, 0);
  console.log(`\nintegration took ${seconds(start)}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

runHarness(main);
