/** Operations checks: alarms, topic, dashboard and exec as AWS reports them; the ops CLI and an operator's AWS CLI. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { environmentNames } from '../../src/shared/names';
import { Checks, emulatorAwsEnv, expect, Json, same } from '../checks';
import { Deployment } from './deployment';

/** `npm run ops -- <args>` against the emulator (AWS_ENDPOINT_URL, fake credentials). */
function ops(endpoint: string, ...args: string[]) {
  const cli = join(__dirname, '..', '..', 'tools', 'ops', 'cli.ts');
  const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), cli, ...args], {
    env: { ...emulatorAwsEnv(), AWS_ENDPOINT_URL: endpoint },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function checkOperations(d: Deployment): void {
  checkAlarmsAndDashboard(d);
  if (d.config.operations.exec.enabled) checkExec(d);
  checkOpsStatus(d);
  checkOpsScale(d);
}

function checkAlarmsAndDashboard(d: Deployment): void {
  const { checks, aws, config, out } = d;
  const names = environmentNames(config.namePrefix);
  checks.run('operations: every alarm notifies the KMS-encrypted topic; the dashboard exists', () => {
    const alarms: Json[] = aws('cloudwatch', 'describe-alarms', '--alarm-name-prefix', names.alarmPrefix).MetricAlarms;
    // Six per service (five without Container Insights: no tasks-below-desired) and two for the environment (three with Spot).
    const expected = (config.containerInsights ? 6 : 5) * config.services.length + (config.spot.enabled ? 3 : 2);
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
}

function checkExec(d: Deployment): void {
  const { checks, aws, config, out } = d;
  const names = environmentNames(config.namePrefix);
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

function checkOpsStatus(d: Deployment): void {
  const { checks, config, out } = d;
  checks.run('ops status: one screen from the AWS SDK (AWS_ENDPOINT_URL) with every service', () => {
    const r = ops(d.endpoint, 'status', config.name);
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
}

function checkOpsScale(d: Deployment): void {
  const { checks, aws, config, out, endpoint } = d;
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
export function checkWakeAndWait(d: Deployment): void {
  const { checks, config, out, endpoint } = d;
  if (!config.schedule.enabled) return;
  const natGroup = out.nat_autoscaling_group_name;

  const woke = checks.run(
    "ops wake: off hours (groups and services at 0), NAT then instances then services back at the start actions' sizes",
    () => {
      const groups = [...(natGroup ? [natGroup] : []), out.autoscaling_group_name];
      goOffHours(d, groups);
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
      expectBackAtStart(d, groups);
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

const group = (d: Deployment, name: string) =>
  d.aws('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', name).AutoScalingGroups[0];
const resourceId = (d: Deployment, service: string) => `service/${d.out.cluster_name}/${d.out.services[service].service_name}`;

/** The state the schedule's stop actions leave: every group at 0, every scalable target at 0-0, every service at 0. */
function goOffHours(d: Deployment, groups: string[]): void {
  const { aws, config, out } = d;
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
      resourceId(d, s.name),
      '--scalable-dimension',
      'ecs:service:DesiredCount',
      '--min-capacity',
      '0',
      '--max-capacity',
      '0',
    );
    aws('ecs', 'update-service', '--cluster', out.cluster_name, '--service', out.services[s.name].service_name, '--desired-count', '0');
  }
  for (const name of groups) expect(group(d, name).DesiredCapacity === 0, `${name} did not go to 0 for the off-hours state`);
}

/** After the wake: each group at its start action's sizes and in service, each service within the config's bounds. */
function expectBackAtStart(d: Deployment, groups: string[]): void {
  const { aws, config, out } = d;
  const inService = (g: Json) => (g.Instances ?? []).filter((i: Json) => i.LifecycleState === 'InService').length;
  for (const name of groups) {
    const g = group(d, name);
    const start = startOf(d, name);
    expect(
      g.MinSize === start.MinSize && g.MaxSize === start.MaxSize,
      `${name}: ${g.MinSize}-${g.MaxSize}, the start action says ${start.MinSize}-${start.MaxSize}`,
    );
    expect(inService(g) >= start.MinSize, `${name}: ${inService(g)} in service, expected at least ${start.MinSize}`);
  }
  const instances = group(d, out.autoscaling_group_name);
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
      resourceId(d, s.name),
    ).ScalableTargets[0];
    expect(
      target.MinCapacity === s.scaling.minTasks && target.MaxCapacity === s.scaling.maxTasks,
      `${s.name}: target ${target.MinCapacity}-${target.MaxCapacity}, expected ${s.scaling.minTasks}-${s.scaling.maxTasks}`,
    );
    const svc = aws('ecs', 'describe-services', '--cluster', out.cluster_name, '--services', out.services[s.name].service_name).services[0];
    expect(
      svc.desiredCount >= s.scaling.minTasks && svc.runningCount >= s.scaling.minTasks,
      `${s.name}: desired ${svc.desiredCount}, running ${svc.runningCount}, expected at least ${s.scaling.minTasks}`,
    );
  }
}

/** The group's start action: its scheduled action that sets a minimum above 0. */
function startOf(d: Deployment, name: string): Json {
  const actions: Json[] = d.aws('autoscaling', 'describe-scheduled-actions', '--auto-scaling-group-name', name).ScheduledUpdateGroupActions;
  const start = actions.find((a) => a.MinSize > 0);
  expect(start, `no start action on ${name}: ${JSON.stringify(actions)}`);
  return start;
}

/** What an operator runs by hand against the cluster. */
export function checkOperatorCommands(d: Deployment): void {
  const { checks, aws, config, out } = d;
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

/** After destroy the ops CLI must say so in one line, not fail on a missing cluster. */
export function checkStatusAfterDestroy(checks: Checks, endpoint: string, environment: string): void {
  checks.run('ops status after destroy: exit 2, one line saying the environment is not deployed', () => {
    const r = ops(endpoint, 'status', environment);
    expect(
      r.code === 2 && r.stdout === '' && /^error: environment "[a-z-]+" is not deployed in [a-z0-9-]+: .*\n$/.test(r.stderr),
      `exit ${r.code}, stderr ${JSON.stringify(r.stderr)}`,
    );
    return r.stderr.trim();
  });
}
