/**
 * Reads and changes a deployed environment through the AWS SDK for JavaScript v3. Credentials come
 * from the SDK's default chain (environment, profile, SSO, instance role); AWS_ENDPOINT_URL is
 * honoured (the integration test points it at moto).
 */
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, ScalableTarget } from '@aws-sdk/client-application-auto-scaling';
import { AutoScalingClient, AutoScalingGroup, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  ECSClient,
  ListContainerInstancesCommand,
  ListTasksCommand,
  Service,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { EnvironmentConfig } from '../../src/environment/config';
import { blueGreenNames, environmentNames, serviceTargetGroupName } from '../../src/shared/names';
import { isFargate } from '../../src/services/fargate';
import { EnvironmentStatus, GroupStatus, InstanceStatus, ServiceStatus } from './render';

/** Bad input or an environment that is not there: one line, exit code 2. */
export class OpsError extends Error {}

/** A deployment that failed, rolled back or did not finish in time: one line, exit code 1. */
export class DeploymentFailed extends OpsError {}

/** Time for the commands that wait; tests pass one whose sleep moves now. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

/**
 * Calls `check` every `intervalMs` until it returns a value; after `timeoutMs`, a DeploymentFailed
 * with `timedOut()`'s line. No sleep after the last check.
 */
export async function poll<T>(
  clock: Clock,
  timeoutMs: number,
  intervalMs: number,
  check: () => Promise<T | undefined>,
  timedOut: () => string,
): Promise<T> {
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (clock.now() + intervalMs > deadline) throw new DeploymentFailed(timedOut());
    await clock.sleep(intervalMs);
  }
}

export interface Clients {
  readonly ecs: ECSClient;
  readonly elb: ElasticLoadBalancingV2Client;
  readonly cloudwatch: CloudWatchClient;
  readonly autoscaling: AutoScalingClient;
  readonly appAutoscaling: ApplicationAutoScalingClient;
}

export function clients(region: string): Clients {
  const c = { region };
  return {
    ecs: new ECSClient(c),
    elb: new ElasticLoadBalancingV2Client(c),
    cloudwatch: new CloudWatchClient(c),
    autoscaling: new AutoScalingClient(c),
    appAutoscaling: new ApplicationAutoScalingClient(c),
  };
}

/** The environment's physical names, from its config through the functions the constructs use. */
export function namesOf(config: EnvironmentConfig) {
  const env = environmentNames(config.namePrefix);
  const targetGroupOf = (service: string) =>
    serviceTargetGroupName(config.namePrefix, service, isFargate(config.services.find((s) => s.name === service)?.runsOn ?? 'ec2'));
  return {
    ...env,
    targetGroup: (service: string) => targetGroupOf(service),
    /** The service's target groups: a blue-green service serves from either of its two. */
    targetGroups: (service: string) => [
      targetGroupOf(service),
      ...(config.services.find((s) => s.name === service)?.deployment.blueGreen
        ? [blueGreenNames(config.namePrefix, service).alternateTargetGroup]
        : []),
    ],
    scalableTarget: (service: string) => `service/${env.cluster}/${service}`,
  };
}

/** Fails with one line unless the environment's cluster exists and is active. */
export async function requireDeployed(c: Clients, config: EnvironmentConfig) {
  const { cluster } = namesOf(config);
  const found = (await c.ecs.send(new DescribeClustersCommand({ clusters: [cluster] }))).clusters?.[0];
  if (!found || found.status !== 'ACTIVE') {
    throw new OpsError(
      `environment "${config.name}" is not deployed in ${config.region}: no active ECS cluster ${cluster} (deploy it with npm run deploy -- ${config.name})`,
    );
  }
  return found;
}

/** One group's sizes, from a DescribeAutoScalingGroups answer; undefined when it has no such group. */
function groupStatus(groups: readonly AutoScalingGroup[], name: string): GroupStatus | undefined {
  const g = groups.find((x) => x.AutoScalingGroupName === name);
  return (
    g && {
      name,
      min: g.MinSize ?? 0,
      max: g.MaxSize ?? 0,
      desired: g.DesiredCapacity ?? 0,
      inService: (g.Instances ?? []).filter((i) => i.LifecycleState === 'InService').length,
    }
  );
}

export async function readStatus(c: Clients, config: EnvironmentConfig): Promise<EnvironmentStatus> {
  const names = namesOf(config);
  const cluster = await requireDeployed(c, config);
  const serviceNames = config.services.map((s) => s.name);
  const groupNames = [names.autoScalingGroup, ...(config.spot.enabled ? [names.spotAutoScalingGroup] : [])];
  const [services, targets, scaling, groups, instances, alarms] = await Promise.all([
    describeServices(c, names.cluster, serviceNames),
    targetHealth(c, serviceNames.flatMap(names.targetGroups)),
    scalableTargets(c, serviceNames.map(names.scalableTarget)),
    c.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: groupNames })).then((r) => r.AutoScalingGroups ?? []),
    containerInstances(c, names.cluster),
    c.cloudwatch
      .send(new DescribeAlarmsCommand({ AlarmNamePrefix: names.alarmPrefix, StateValue: 'ALARM' }))
      .then((r) => r.MetricAlarms ?? []),
  ]);
  return {
    environment: config.name,
    region: config.region,
    cluster: {
      name: names.cluster,
      status: cluster.status ?? 'UNKNOWN',
      runningTasks: cluster.runningTasksCount ?? 0,
      pendingTasks: cluster.pendingTasksCount ?? 0,
    },
    autoScalingGroup: groupStatus(groups, names.autoScalingGroup),
    ...(config.spot.enabled ? { spotAutoScalingGroup: groupStatus(groups, names.spotAutoScalingGroup) } : {}),
    instances,
    services: serviceNames.map((name) =>
      serviceStatus(
        name,
        services.get(name),
        summed(names.targetGroups(name).map((tg) => targets.get(tg))),
        scaling.get(names.scalableTarget(name)),
      ),
    ),
    alarms: alarms.map((a) => ({ name: a.AlarmName ?? '?', reason: a.StateReason ?? '', since: a.StateUpdatedTimestamp })),
  };
}

function serviceStatus(
  name: string,
  s: Service | undefined,
  targets: Record<string, number> | undefined,
  scaling: ScalableTarget | undefined,
): ServiceStatus {
  if (!s || s.status === 'INACTIVE') {
    return { name, found: false, desired: 0, running: 0, pending: 0, execEnabled: false, deployments: [], targets: {}, events: [] };
  }
  return {
    name,
    found: true,
    desired: s.desiredCount ?? 0,
    running: s.runningCount ?? 0,
    pending: s.pendingCount ?? 0,
    scaling: scaling && { min: scaling.MinCapacity ?? 0, max: scaling.MaxCapacity ?? 0 },
    execEnabled: s.enableExecuteCommand === true,
    deployments: [
      ...(s.deployments ?? []).map((d) => ({
        status: d.status ?? '?',
        rolloutState: d.rolloutState,
        taskDefinition: (d.taskDefinition ?? '?').split('/').pop()!,
        desired: d.desiredCount ?? 0,
        running: d.runningCount ?? 0,
        pending: d.pendingCount ?? 0,
        failed: d.failedTasks ?? 0,
      })),
      // A blue-green (CODE_DEPLOY) service has task sets instead: PRIMARY serves, ACTIVE is the other one during a deployment.
      ...(s.taskSets ?? []).map((t) => ({
        status: t.status ?? '?',
        rolloutState: t.stabilityStatus,
        taskDefinition: (t.taskDefinition ?? '?').split('/').pop()!,
        desired: t.computedDesiredCount ?? 0,
        running: t.runningCount ?? 0,
        pending: t.pendingCount ?? 0,
        failed: 0,
      })),
    ],
    targets: targets ?? {},
    events: (s.events ?? []).map((e) => ({ at: e.createdAt ?? new Date(0), message: e.message ?? '' })),
  };
}

export async function describeServices(c: Clients, cluster: string, names: readonly string[]): Promise<Map<string, Service>> {
  const found = new Map<string, Service>();
  // DescribeServices takes at most 10 services a call.
  for (let i = 0; i < names.length; i += 10) {
    const r = await c.ecs.send(new DescribeServicesCommand({ cluster, services: names.slice(i, i + 10) }));
    for (const s of r.services ?? []) if (s.serviceName) found.set(s.serviceName, s);
  }
  return found;
}

/** Target states per target group name; a group that does not exist is left out. */
async function targetHealth(c: Clients, names: readonly string[]): Promise<Map<string, Record<string, number>>> {
  const result = new Map<string, Record<string, number>>();
  await Promise.all(
    names.map(async (name) => {
      const group = await c.elb
        .send(new DescribeTargetGroupsCommand({ Names: [name] }))
        .then((r) => r.TargetGroups?.[0])
        .catch((error) => (error?.name === 'TargetGroupNotFoundException' ? undefined : Promise.reject(error)));
      if (!group?.TargetGroupArn) return;
      const health = await c.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }));
      const counts: Record<string, number> = {};
      for (const t of health.TargetHealthDescriptions ?? []) {
        const state = t.TargetHealth?.State ?? 'unknown';
        counts[state] = (counts[state] ?? 0) + 1;
      }
      result.set(name, counts);
    }),
  );
  return result;
}

/** Target states summed over target groups; undefined when none of them was found. */
function summed(groups: readonly (Record<string, number> | undefined)[]): Record<string, number> | undefined {
  const found = groups.filter((g): g is Record<string, number> => g !== undefined);
  if (found.length === 0) return undefined;
  const total: Record<string, number> = {};
  for (const g of found) for (const [state, n] of Object.entries(g)) total[state] = (total[state] ?? 0) + n;
  return total;
}

async function scalableTargets(c: Clients, resourceIds: readonly string[]): Promise<Map<string, ScalableTarget>> {
  const r = await c.appAutoscaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [...resourceIds] }));
  return new Map((r.ScalableTargets ?? []).map((t) => [t.ResourceId!, t]));
}

async function containerInstances(c: Clients, cluster: string): Promise<InstanceStatus[]> {
  const arns = (await c.ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns ?? [];
  if (arns.length === 0) return [];
  const described =
    (await c.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }))).containerInstances ?? [];
  const resource = (list: { name?: string; integerValue?: number }[] | undefined, name: string) =>
    list?.find((r) => r.name === name)?.integerValue ?? 0;
  return described.map((i) => ({
    ec2InstanceId: i.ec2InstanceId ?? '?',
    status: i.status ?? '?',
    agentConnected: i.agentConnected === true,
    runningTasks: i.runningTasksCount ?? 0,
    cpu: { remaining: resource(i.remainingResources, 'CPU'), registered: resource(i.registeredResources, 'CPU') },
    memoryMiB: { remaining: resource(i.remainingResources, 'MEMORY'), registered: resource(i.registeredResources, 'MEMORY') },
  }));
}

/** The service's ECS description; one line when the environment has no such service. */
export async function requireService(c: Clients, config: EnvironmentConfig, service: string): Promise<Service> {
  const names = config.services.map((s) => s.name);
  if (!names.includes(service)) throw new OpsError(`environment "${config.name}" has no service "${service}" (it has ${names.join(', ')})`);
  await requireDeployed(c, config);
  const found = (await describeServices(c, namesOf(config).cluster, [service])).get(service);
  if (!found || found.status === 'INACTIVE') throw new OpsError(`service "${service}" of environment "${config.name}" is not deployed`);
  return found;
}

/**
 * Sets the desired count within the scalable target's bounds. Autoscaling owns the count: the next
 * scaling activity may move it anywhere within min..max; bounds are config (minTasks/maxTasks).
 */
export async function scale(
  c: Clients,
  config: EnvironmentConfig,
  service: string,
  count: number,
): Promise<{ from: number; min: number; max: number }> {
  const current = await requireService(c, config, service);
  const target = (await scalableTargets(c, [namesOf(config).scalableTarget(service)])).values().next().value;
  const min = target?.MinCapacity ?? 0;
  const max = target?.MaxCapacity ?? Number.MAX_SAFE_INTEGER;
  if (count < min || count > max) {
    throw new OpsError(
      `${count} tasks is outside ${service}'s autoscaling bounds ${min}-${max}; change services.${service}.scaling.minTasks/maxTasks in the config and deploy`,
    );
  }
  await c.ecs.send(new UpdateServiceCommand({ cluster: namesOf(config).cluster, service, desiredCount: count }));
  return { from: current.desiredCount ?? 0, min, max };
}

/** A new deployment of the same task definition: fresh tasks (new instances' agents, a new image pull by digest, exec turned on). */
export async function redeploy(c: Clients, config: EnvironmentConfig, service: string): Promise<void> {
  if (config.services.find((s) => s.name === service)?.deployment.blueGreen) {
    throw new OpsError(
      `service "${service}" of environment "${config.name}" deploys blue/green and ECS refuses forceNewDeployment on it: npm run release -- deploy ${config.name} ${service}`,
    );
  }
  await requireService(c, config, service);
  await c.ecs.send(new UpdateServiceCommand({ cluster: namesOf(config).cluster, service, forceNewDeployment: true }));
}

/** A running task of the service for `exec`; the newest first. */
export async function runningTask(c: Clients, config: EnvironmentConfig, service: string): Promise<string> {
  const s = await requireService(c, config, service);
  if (!s.enableExecuteCommand) {
    throw new OpsError(
      `ECS Exec is off for environment "${config.name}"; set operations.exec.enabled and deploy, then npm run ops -- redeploy ${config.name} ${service}`,
    );
  }
  const tasks =
    (await c.ecs.send(new ListTasksCommand({ cluster: namesOf(config).cluster, serviceName: service, desiredStatus: 'RUNNING' })))
      .taskArns ?? [];
  if (tasks.length === 0) throw new OpsError(`service "${service}" of environment "${config.name}" has no running task`);
  return tasks[0];
}
