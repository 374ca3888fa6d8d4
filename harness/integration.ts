/**
 * `npm run test:integration [-- ENV... | upgrade | registry]`: a real `terraform apply` and `terraform destroy`
 * of whole environments against moto, with checks through the AWS CLI in between, the upgrade
 * check (harness/upgrade.ts) and the registry check (harness/registry-check.ts). Default: all of
 * them, in parallel (the upgrade check on a moto of its own).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentConfig } from '../src/environment/config';
import { environmentNames } from '../src/shared/names';
import { ENVIRONMENTS, selectEnvironments } from '../src/environments';
import { Emulator, findMoto, startEmulator } from './emulator';
import { synthEmulatorStack } from './emulator-stack';
import { planChanges, runUpgrade } from './upgrade';
import { runRegistry } from './registry-check';
import { checkHttps, createHostedZone, deleteHostedZone } from './https-checks';
import { firstError, prepareTerraform, runHarness, seconds, TerraformSetup, WORK_DIR } from './terraform';
import {
  awsCli,
  Checks,
  emulatorAwsEnv,
  expect,
  Json,
  oneAtATime,
  plannedChanges,
  readOutputs,
  requireAwsCli,
  same,
  StackOutputs,
  step,
} from './checks';
import { Deployment, deployment } from './checks/deployment';
import { checkFlowLogs, checkNatInstance, checkSubnetsAndNat } from './checks/network';
import { checkAccessLogs, checkLoadBalancer } from './checks/edge';
import { checkCapacity, checkCluster, checkNatSchedule, checkSchedule } from './checks/compute';
import { checkService } from './checks/services';

const OUT_DIR = join(WORK_DIR, 'integration');
/** The name that runs the upgrade check (harness/upgrade.ts). */
const UPGRADE = 'upgrade';
/** The name that runs the registry check (harness/registry-check.ts). */
const REGISTRY = 'registry';

/** Reads what apply created (found by the stack's outputs) and checks it against the environment's config. */
function checkDeployment(d: Deployment): void {
  const { checks, aws, config, out } = d;
  checkSubnetsAndNat(d);
  checkLoadBalancer(d);
  for (const service of config.services) checkService(d, service);
  checkHttps(checks, aws, config, out);
  if (config.natMode === 'instance') checkNatInstance(d);
  if (config.schedule.enabled) checkSchedule(d);
  if (config.schedule.enabled && config.natMode === 'instance') checkNatSchedule(d);
  if (config.flowLogs) checkFlowLogs(d);
  if (config.loadBalancer.accessLogs) checkAccessLogs(d);
  checkCapacity(d);
  checkCluster(d);
}

/** `npm run ops -- <args>` against the emulator (AWS_ENDPOINT_URL, fake credentials). */
function ops(endpoint: string, ...args: string[]) {
  const cli = join(__dirname, '..', 'tools', 'ops', 'cli.ts');
  const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), cli, ...args], {
    env: { ...emulatorAwsEnv(), AWS_ENDPOINT_URL: endpoint },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The operations layer: alarms, topic, dashboard, exec settings as AWS reports them, and `npm run ops` on the deployed stack. */
function checkOperations(
  checks: Checks,
  aws: (...args: string[]) => Json,
  endpoint: string,
  config: EnvironmentConfig,
  out: StackOutputs,
): void {
  const names = environmentNames(config.namePrefix);
  checks.run('operations: every alarm notifies the KMS-encrypted topic; the dashboard exists', () => {
    const alarms: Json[] = aws('cloudwatch', 'describe-alarms', '--alarm-name-prefix', names.alarmPrefix).MetricAlarms;
    // Six per service (five without Container Insights: no tasks-below-desired) and two for the environment.
    const expected = (config.containerInsights ? 6 : 5) * config.services.length + 2;
    expect(alarms.length === expected, `${alarms.length} alarms named ${names.alarmPrefix}*, expected ${expected}`);
    const silent = alarms.filter((a) => !a.AlarmActions?.includes(out.alarm_topic_arn));
    expect(silent.length === 0, `alarms not notifying ${out.alarm_topic_arn}: ${silent.map((a) => a.AlarmName)}`);
    const topic = aws('sns', 'get-topic-attributes', '--topic-arn', out.alarm_topic_arn).Attributes;
    expect(topic.KmsMasterKeyId?.includes(':key/'), `topic KmsMasterKeyId ${topic.KmsMasterKeyId}`);
    expect(
      JSON.parse(topic.Policy).Statement.some(
        (st: Json) => st.Effect === 'Deny' && st.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      ),
      'topic policy has no TLS-only deny',
    );
    const body = JSON.parse(aws('cloudwatch', 'get-dashboard', '--dashboard-name', out.dashboard_name).DashboardBody);
    return `${alarms.length} alarms, topic under ${topic.KmsMasterKeyId.split('/').pop()}, dashboard ${out.dashboard_name} with ${body.widgets.length} widgets`;
  });

  if (config.operations.exec.enabled) {
    checks.run('operations: ECS Exec on, sessions logged (OVERRIDE) to the KMS-encrypted group', () => {
      const c = aws('ecs', 'describe-clusters', '--clusters', out.cluster_name, '--include', 'CONFIGURATIONS').clusters[0];
      const exec = c.configuration?.executeCommandConfiguration;
      expect(
        exec?.logging === 'OVERRIDE' && exec.logConfiguration?.cloudWatchLogGroupName === names.execLogGroup,
        `cluster exec configuration ${JSON.stringify(exec)}`,
      );
      const group = aws('logs', 'describe-log-groups', '--log-group-name-prefix', names.execLogGroup).logGroups[0];
      expect(group?.kmsKeyId, `log group ${names.execLogGroup}: ${JSON.stringify(group)}`);
      const services: Json[] = aws(
        'ecs',
        'describe-services',
        '--cluster',
        out.cluster_name,
        '--services',
        ...config.services.map((s) => s.name),
      ).services;
      const off = services.filter((s) => s.enableExecuteCommand !== true).map((s) => s.serviceName);
      expect(off.length === 0, `exec off on ${off}`);
      return `${names.execLogGroup}, ${services.length} service(s)`;
    });
  }

  checks.run('ops status: one screen from the AWS SDK (AWS_ENDPOINT_URL) with every service', () => {
    const r = ops(endpoint, 'status', config.name);
    expect(r.code === 0, `exit ${r.code}: ${r.stderr.trim()}`);
    expect(
      r.stdout.startsWith(`${config.name} (${config.region}): cluster ${out.cluster_name} ACTIVE`),
      `first line: ${r.stdout.split('\n')[0]}`,
    );
    for (const s of config.services)
      expect(r.stdout.includes(`\n  ${s.name}: `) && !r.stdout.includes(`${s.name}: NOT FOUND`), `no line for ${s.name}:\n${r.stdout}`);
    expect(
      r.stdout.includes(`${out.autoscaling_group_name}: `) && r.stdout.includes('Alarms in ALARM'),
      `no capacity or alarm section:\n${r.stdout}`,
    );
    return `${r.stdout.trim().split('\n').length} lines`;
  });

  checks.run('ops scale: desired count within the autoscaling bounds; outside them exit 2', () => {
    const service = config.services[0];
    const n = service.scaling.maxTasks;
    const r = ops(endpoint, 'scale', config.name, service.name, String(n));
    expect(r.code === 0, `exit ${r.code}: ${r.stderr.trim()}`);
    const desired = aws('ecs', 'describe-services', '--cluster', out.cluster_name, '--services', service.name).services[0].desiredCount;
    expect(desired === n, `desired count ${desired}, expected ${n}`);
    const over = ops(endpoint, 'scale', config.name, service.name, String(n + 1));
    expect(over.code === 2 && over.stderr.trim().split('\n').length === 1, `over the bounds: exit ${over.code}, stderr ${over.stderr}`);
    return `${service.name} -> ${n}; ${n + 1} refused`;
  });
}

/**
 * A deploy off hours: the environment as the schedule's stop actions leave it (every group at 0, every
 * service at 0-0), then `ops wake`, which must bring back what the deployed start actions say, NAT
 * first; then `ops wait`, which must see every deployment COMPLETED.
 */
function checkWakeAndWait(
  checks: Checks,
  aws: (...args: string[]) => Json,
  endpoint: string,
  config: EnvironmentConfig,
  out: StackOutputs,
): void {
  if (!config.schedule.enabled) return;
  const group = (name: string) =>
    aws('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', name).AutoScalingGroups[0];
  const inService = (g: Json) => (g.Instances ?? []).filter((i: Json) => i.LifecycleState === 'InService').length;
  /** The group's start action: its scheduled action that sets a minimum above 0. */
  const startOf = (name: string) => {
    const actions: Json[] = aws('autoscaling', 'describe-scheduled-actions', '--auto-scaling-group-name', name).ScheduledUpdateGroupActions;
    const start = actions.find((a) => a.MinSize > 0);
    expect(start, `no start action on ${name}: ${JSON.stringify(actions)}`);
    return start;
  };
  const resourceId = (service: string) => `service/${out.cluster_name}/${out.services[service].service_name}`;
  const natGroup = out.nat_autoscaling_group_name;

  const woke = checks.run(
    "ops wake: off hours (groups and services at 0), NAT then instances then services back at the start actions' sizes",
    () => {
      const groups = [...(natGroup ? [natGroup] : []), out.autoscaling_group_name];
      for (const name of groups)
        aws(
          'autoscaling',
          'update-auto-scaling-group',
          '--auto-scaling-group-name',
          name,
          '--min-size',
          '0',
          '--max-size',
          '0',
          '--desired-capacity',
          '0',
        );
      for (const s of config.services) {
        aws(
          'application-autoscaling',
          'register-scalable-target',
          '--service-namespace',
          'ecs',
          '--resource-id',
          resourceId(s.name),
          '--scalable-dimension',
          'ecs:service:DesiredCount',
          '--min-capacity',
          '0',
          '--max-capacity',
          '0',
        );
        aws('ecs', 'update-service', '--cluster', out.cluster_name, '--service', out.services[s.name].service_name, '--desired-count', '0');
      }
      for (const name of groups) expect(group(name).DesiredCapacity === 0, `${name} did not go to 0 for the off-hours state`);

      const r = ops(endpoint, 'wake', config.name);
      expect(r.code === 0, `exit ${r.code}: ${r.stderr.trim()}`);
      const lines = r.stdout.trim().split('\n');
      const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
      const order = [
        ...(natGroup ? [at(`NAT instance ${natGroup}:`)] : []),
        at(`container instances ${out.autoscaling_group_name}:`),
        ...config.services.map((s) => at(`service ${s.name}:`)),
      ];
      expect(
        order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1])),
        `not NAT, then instances, then services:\n${r.stdout}`,
      );

      for (const name of groups) {
        const g = group(name);
        const start = startOf(name);
        expect(
          g.MinSize === start.MinSize && g.MaxSize === start.MaxSize,
          `${name}: ${g.MinSize}-${g.MaxSize}, the start action says ${start.MinSize}-${start.MaxSize}`,
        );
        expect(inService(g) >= start.MinSize, `${name}: ${inService(g)} in service, expected at least ${start.MinSize}`);
      }
      const instances = group(out.autoscaling_group_name);
      expect(
        instances.MinSize === config.capacity.min && instances.MaxSize === config.capacity.max,
        `instances ${instances.MinSize}-${instances.MaxSize}, config ${config.capacity.min}-${config.capacity.max}`,
      );
      for (const s of config.services) {
        const target = aws(
          'application-autoscaling',
          'describe-scalable-targets',
          '--service-namespace',
          'ecs',
          '--resource-ids',
          resourceId(s.name),
        ).ScalableTargets[0];
        expect(
          target.MinCapacity === s.scaling.minTasks && target.MaxCapacity === s.scaling.maxTasks,
          `${s.name}: target ${target.MinCapacity}-${target.MaxCapacity}, expected ${s.scaling.minTasks}-${s.scaling.maxTasks}`,
        );
        const svc = aws('ecs', 'describe-services', '--cluster', out.cluster_name, '--services', out.services[s.name].service_name)
          .services[0];
        expect(
          svc.desiredCount >= s.scaling.minTasks && svc.runningCount >= s.scaling.minTasks,
          `${s.name}: desired ${svc.desiredCount}, running ${svc.runningCount}, expected at least ${s.scaling.minTasks}`,
        );
      }
      return lines[lines.length - 1];
    },
  );

  if (woke) {
    checks.run("ops wait: every service's PRIMARY deployment COMPLETED on the applied revision, exit 0", () => {
      const r = ops(endpoint, 'wait', config.name, '1');
      expect(r.code === 0, `exit ${r.code}: ${r.stderr.trim()}`);
      for (const s of config.services)
        expect(
          new RegExp(`^${s.name}: deployment \\S+ COMPLETED on `, 'm').test(r.stdout),
          `no COMPLETED line for ${s.name}:\n${r.stdout}`,
        );
      return `${config.services.length} service(s)`;
    });
  }
}

/** What an operator runs by hand against the cluster. */
function checkOperatorCommands(checks: Checks, aws: (...args: string[]) => Json, config: EnvironmentConfig, out: StackOutputs): void {
  const cluster = out.cluster_name;
  const names = Object.values(out.services).map((s) => s.service_name);
  checks.run('operator: aws ecs list-clusters / list-services / describe-services', () => {
    const clusters: string[] = aws('ecs', 'list-clusters').clusterArns;
    expect(
      clusters.some((a) => a.endsWith(`/${cluster}`)),
      `list-clusters: ${clusters}`,
    );
    const services: string[] = aws('ecs', 'list-services', '--cluster', cluster).serviceArns;
    expect(
      same(
        services.map((a) => a.split('/').pop()!),
        names,
      ),
      `list-services: ${services}`,
    );
    const described = aws('ecs', 'describe-services', '--cluster', cluster, '--services', services[0]).services;
    expect(described[0]?.serviceArn === services[0], 'describe-services by ARN found nothing');
    return names.join(', ');
  });
  checks.run('operator: aws ecs update-service --desired-count 0', () => {
    aws('ecs', 'update-service', '--cluster', cluster, '--service', names[0], '--desired-count', '0');
    const count = aws('ecs', 'describe-services', '--cluster', cluster, '--services', names[0]).services[0].desiredCount;
    expect(count === 0, `desired count ${count} after update-service`);
  });
  checks.run('operator: aws autoscaling set-desired-capacity', () => {
    const desired = config.capacity.max;
    aws(
      'autoscaling',
      'set-desired-capacity',
      '--auto-scaling-group-name',
      out.autoscaling_group_name,
      '--desired-capacity',
      String(desired),
    );
    const asg = aws('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', out.autoscaling_group_name)
      .AutoScalingGroups[0];
    expect(asg.DesiredCapacity === desired, `desired capacity ${asg.DesiredCapacity}, expected ${desired}`);
    return `desired capacity ${desired}`;
  });
}

/**
 * Provider 5.x replaces an ECS service whose capacity provider strategy changes unless
 * force_new_deployment is set: change every service's strategy weight in the synthesized stack,
 * plan, and require an in-place update. The stack file is restored afterwards.
 */
async function checkStrategyChangeInPlace(checks: Checks, setup: TerraformSetup, dir: string): Promise<void> {
  const file = join(dir, 'cdk.tf.json');
  const original = readFileSync(file, 'utf8');
  const stack = JSON.parse(original);
  const services: Record<string, Json> = stack.resource.aws_ecs_service;
  for (const service of Object.values(services)) {
    for (const item of service.capacity_provider_strategy) item.weight += 1;
  }
  writeFileSync(file, JSON.stringify(stack, null, 2));
  try {
    const plan = await step(checks, setup, dir, 'plan-strategy', ['plan', '-out=strategy.tfplan']);
    checks.run('a changed capacity provider strategy weight updates each ECS service in place (no replacement)', () => {
      expect(plan.code === 0, `${firstError(plan.output)} (log: ${join(dir, 'plan-strategy.log')})`);
      const changes = planChanges(setup, dir, 'strategy.tfplan').filter((c) => c.type === 'aws_ecs_service');
      expect(
        changes.length === Object.keys(services).length,
        `${changes.length} aws_ecs_service changes, expected ${Object.keys(services).length}`,
      );
      const wrong = changes.filter((c) => c.change.actions.join() !== 'update');
      expect(wrong.length === 0, wrong.map((c) => `${c.address}: ${c.change.actions.join('/')}`).join('; '));
      return changes.map((c) => `${c.address}: update`).join(', ');
    });
  } finally {
    writeFileSync(file, original);
  }
}

async function runEnvironment(setup: TerraformSetup, emulator: Emulator, environment: string, checks: Checks): Promise<void> {
  const { config, dir } = synthEmulatorStack(environment, emulator.endpoint, join(OUT_DIR, environment));
  checks.log(
    `== ${environment}: ${config.availabilityZones.length} AZs, NAT ${config.natMode}, services ${config.services.map((s) => s.name).join(', ')}, images from a URI (the docker provider is not used) ==`,
  );
  const env = { ...setup, env: emulatorAwsEnv(setup.env) };
  const aws = awsCli(emulator.endpoint, config.region);
  const log = (name: string) => join(dir, `${name}.log`);

  const init = await oneAtATime(() => step(checks, env, dir, 'init', ['init']));
  if (!checks.run('terraform init', () => expect(init.code === 0, firstError(init.output)))) return;
  let zoneId: string | undefined;
  if (
    config.domain?.zoneName &&
    !checks.run(
      `hosted zone ${config.domain.zoneName} created first (the stack looks it up)`,
      () => (zoneId = createHostedZone(aws, config)),
    )
  )
    return;

  const apply = await step(checks, env, dir, 'apply', ['apply', '-auto-approve']);
  const applied = checks.run('terraform apply', () => {
    expect(apply.code === 0, `${firstError(apply.output)} (log: ${log('apply')})`);
    return /Resources: (\d+) added/.exec(apply.output)?.[0];
  });
  if (applied) {
    const out = readOutputs(env, dir);
    checkDeployment(deployment(checks, aws, emulator.endpoint, config, out));
    // moto's answers are not complete enough for an empty re-plan: record the drift, don't assert on it.
    const plan = await step(checks, env, dir, 'plan', ['plan', '-detailed-exitcode']);
    const changes = plannedChanges(plan.output);
    if (plan.code === 1) checks.log(`second plan failed (not asserted): ${firstError(plan.output)}`);
    else
      checks.log(
        `second plan (not asserted): ${changes.length === 0 ? 'no changes' : `${changes.length} would change, see ${log('plan')}`}`,
      );
    changes.forEach((c) => checks.log(`  ${c}`));
    await checkStrategyChangeInPlace(checks, env, dir);
    checkOperations(checks, aws, emulator.endpoint, config, out);
    checkWakeAndWait(checks, aws, emulator.endpoint, config, out);
    checkOperatorCommands(checks, aws, config, out);
  }

  // Destroy even after a failed apply: it must clean up whatever was created.
  let vpcId: string | undefined;
  try {
    vpcId = readOutputs(env, dir).vpc_id;
  } catch {
    vpcId = undefined;
  }
  const destroy = await step(checks, env, dir, 'destroy', ['destroy', '-auto-approve']);
  checks.run('terraform destroy leaves an empty state', () => {
    expect(destroy.code === 0, `${firstError(destroy.output)} (log: ${log('destroy')})`);
    const state = spawnSync('terraform', ['state', 'list'], { cwd: dir, env: env.env, encoding: 'utf8' });
    expect(state.status === 0, `terraform state list: ${state.stderr.trim()}`);
    const left = state.stdout.trim();
    expect(left === '', `still in state: ${left.split('\n').join(', ')}`);
    if (vpcId) {
      const vpcs = aws('ec2', 'describe-vpcs', '--filters', `Name=vpc-id,Values=${vpcId}`).Vpcs;
      expect(vpcs.length === 0, `the VPC ${vpcId} is still in the emulator`);
    }
    return /Resources: (\d+) destroyed/.exec(destroy.output)?.[0];
  });
  if (applied) {
    checks.run('ops status after destroy: exit 2, one line saying the environment is not deployed', () => {
      const r = ops(emulator.endpoint, 'status', environment);
      expect(
        r.code === 2 && r.stdout === '' && /^error: environment "[a-z-]+" is not deployed in [a-z0-9-]+: .*\n$/.test(r.stderr),
        `exit ${r.code}, stderr ${JSON.stringify(r.stderr)}`,
      );
      return r.stderr.trim();
    });
  }
  if (zoneId) checks.run('hosted zone deleted (destroy left no record in it)', () => deleteHostedZone(aws, zoneId!));
}

async function main(): Promise<number> {
  const start = performance.now();
  const named = process.argv.slice(2).filter((a) => a.trim() !== '');
  // Default: every environment (the example too), the upgrade and registry checks; `upgrade` or `registry` names one alone.
  const runs = [...new Set(named.length > 0 ? named : [...Object.keys(ENVIRONMENTS), UPGRADE, REGISTRY])];
  const environments = runs.filter((r) => r !== UPGRADE && r !== REGISTRY);
  selectEnvironments(environments); // unknown names fail here, before anything starts
  const setup = await prepareTerraform();
  const cli = requireAwsCli();
  const moto = findMoto();
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const emulator = await startEmulator(moto, join(OUT_DIR, 'moto.log'));
  // The upgrade check deploys dev's names too: it gets a moto of its own.
  const upgradeEmulator = runs.includes(UPGRADE) ? await startEmulator(moto, join(OUT_DIR, 'moto-upgrade.log')) : undefined;
  console.log(`terraform ${setup.version}; ${setup.description}`);
  console.log(
    `moto ${emulator.version} (patched, harness/moto_launcher.py) at ${emulator.endpoint}${upgradeEmulator ? ` (upgrade check: ${upgradeEmulator.endpoint})` : ''}; ${cli}`,
  );

  let results: Checks[];
  try {
    results = await Promise.all(
      runs.map(async (run) => {
        const checks = new Checks();
        const job =
          run === UPGRADE
            ? runUpgrade(setup, upgradeEmulator!, OUT_DIR, checks)
            : run === REGISTRY
              ? runRegistry(setup, emulator, OUT_DIR, checks)
              : runEnvironment(setup, emulator, run, checks);
        await job.catch((error) =>
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
    upgradeEmulator?.stop();
  }
  const passed = results.reduce((n, c) => n + c.passed, 0);
  const failed = results.reduce((n, c) => n + c.failed, 0);
  console.log(`\nintegration took ${seconds(start)}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

runHarness(main);
