/**
 * `npm run ops -- wake <env>`: does now what the working-hours schedule's start actions would, in the
 * schedule's order (NAT instance, container instances, services), and waits for each to run. The
 * sizes come from the deployed start actions themselves, found by the names the schedule gives them;
 * the next stop action puts everything back.
 */
import {
  DescribeScheduledActionsCommand as DescribeServiceActionsCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  AutoScalingGroup,
  DescribeAutoScalingGroupsCommand,
  DescribeScheduledActionsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeClustersCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { EnvironmentConfig } from '../../src/environment/config';
import { serviceResourceName } from '../../src/services/resolve';
import { natScheduleBase, scheduledActionName } from '../../src/compute/working-hours-schedule';
import { Clients, Clock, describeServices, namesOf, OpsError, poll } from './aws';

export const WAKE_TIMEOUT_MINUTES = 20;
export const WAKE_POLL_MS = 15_000;

export interface WakeOptions {
  readonly clock: Clock;
  readonly timeoutMs: number;
  /** One line per step, as it happens. */
  readonly progress: (line: string) => void;
}

interface GroupSizes {
  readonly group: string;
  readonly min: number;
  readonly max: number;
  readonly desired: number;
}

/** The start actions' sizes: NAT group (natMode instance), instances' group, each service's range. */
async function startActions(c: Clients, config: EnvironmentConfig) {
  const names = namesOf(config);
  const instancesName = scheduledActionName(config.namePrefix, 'start');
  const natName = scheduledActionName(natScheduleBase(config.namePrefix), 'start');
  const wanted = config.natMode === 'instance' ? [natName, instancesName] : [instancesName];
  const groupActions =
    (await c.autoscaling.send(new DescribeScheduledActionsCommand({ ScheduledActionNames: wanted }))).ScheduledUpdateGroupActions ?? [];
  const group = (name: string): GroupSizes => {
    const a = groupActions.find((x) => x.ScheduledActionName === name);
    if (!a?.AutoScalingGroupName || a.MinSize === undefined) throw notDeployed(config, `EC2 Auto Scaling scheduled action ${name}`);
    const min = a.MinSize;
    return { group: a.AutoScalingGroupName, min, max: a.MaxSize ?? min, desired: a.DesiredCapacity ?? min };
  };
  const instances = group(instancesName);
  if (instances.group !== names.autoScalingGroup)
    throw new OpsError(`${instancesName} scales ${instances.group}, not the environment's ${names.autoScalingGroup}`);

  const serviceActionNames = config.services.map((s) => scheduledActionName(serviceResourceName(config.namePrefix, s.name), 'start'));
  const serviceActions =
    (await c.appAutoscaling.send(new DescribeServiceActionsCommand({ ServiceNamespace: 'ecs', ScheduledActionNames: serviceActionNames })))
      .ScheduledActions ?? [];
  const services = config.services.map((s, i) => {
    const a = serviceActions.find((x) => x.ScheduledActionName === serviceActionNames[i]);
    const range = a?.ScalableTargetAction;
    if (range?.MinCapacity === undefined || range.MaxCapacity === undefined)
      throw notDeployed(config, `Application Auto Scaling scheduled action ${serviceActionNames[i]}`);
    return { name: s.name, resourceId: names.scalableTarget(s.name), min: range.MinCapacity, max: range.MaxCapacity };
  });
  return { nat: config.natMode === 'instance' ? group(natName) : undefined, instances, services };
}

const notDeployed = (config: EnvironmentConfig, what: string) =>
  new OpsError(
    `environment "${config.name}" has schedule.enabled but no ${what} in ${config.region}: deploy the schedule first (npm run deploy -- ${config.name})`,
  );

const inService = (g: AutoScalingGroup | undefined) =>
  (g?.Instances ?? []).filter((i) => i.LifecycleState === 'InService' && i.HealthStatus !== 'Unhealthy').length;

/** Raises a group to the start action's sizes (never lowers its desired capacity) and waits for the instances. */
async function raiseGroup(c: Clients, what: string, sizes: GroupSizes, o: WakeOptions, remaining: () => number): Promise<void> {
  const describe = async () =>
    (await c.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [sizes.group] }))).AutoScalingGroups?.[0];
  const current = await describe();
  if (!current) throw new OpsError(`no Auto Scaling group ${sizes.group}`);
  const desired = Math.min(sizes.max, Math.max(current.DesiredCapacity ?? 0, sizes.desired, sizes.min));
  await c.autoscaling.send(
    new UpdateAutoScalingGroupCommand({
      AutoScalingGroupName: sizes.group,
      MinSize: sizes.min,
      MaxSize: sizes.max,
      DesiredCapacity: desired,
    }),
  );
  const start = o.clock.now();
  let last: AutoScalingGroup | undefined;
  await poll(
    o.clock,
    remaining(),
    WAKE_POLL_MS,
    async () => {
      last = await describe();
      return inService(last) >= sizes.min ? true : undefined;
    },
    () =>
      `${what} ${sizes.group}: ${inService(last)} of ${sizes.min} instance(s) in service after the timeout; see its activity history (aws autoscaling describe-scaling-activities --auto-scaling-group-name ${sizes.group})`,
  );
  o.progress(
    `${what} ${sizes.group}: ${sizes.min}-${sizes.max}, desired ${desired}, ${inService(last)} in service (${seconds(o.clock.now() - start)})`,
  );
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/**
 * Wakes a scheduled environment; returns false (after saying why) when there is nothing to wake: no
 * schedule, or not deployed yet (an apply then creates it at its configured sizes).
 */
export async function wake(c: Clients, config: EnvironmentConfig, o: WakeOptions): Promise<boolean> {
  const deadline = o.clock.now() + o.timeoutMs;
  const remaining = () => Math.max(0, deadline - o.clock.now());
  if (!config.schedule.enabled) {
    o.progress(
      `${config.name} has no working-hours schedule (schedule.enabled is false): it runs at its configured sizes, nothing to wake`,
    );
    return false;
  }
  const names = namesOf(config);
  const cluster = (await c.ecs.send(new DescribeClustersCommand({ clusters: [names.cluster] }))).clusters?.[0];
  if (!cluster || cluster.status !== 'ACTIVE') {
    o.progress(
      `${config.name} is not deployed in ${config.region} (no active cluster ${names.cluster}): nothing to wake; an apply creates it at its configured sizes`,
    );
    return false;
  }
  const actions = await startActions(c, config);
  // Egress first: container instances register with ECS through the NAT.
  if (actions.nat) await raiseGroup(c, 'NAT instance', actions.nat, o, remaining);
  await raiseGroup(c, 'container instances', actions.instances, o, remaining);

  const current = await describeServices(
    c,
    names.cluster,
    actions.services.map((s) => s.name),
  );
  for (const s of actions.services) {
    await c.appAutoscaling.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: 'ecs',
        ResourceId: s.resourceId,
        ScalableDimension: 'ecs:service:DesiredCount',
        MinCapacity: s.min,
        MaxCapacity: s.max,
      }),
    );
    const desired = current.get(s.name)?.desiredCount ?? 0;
    if (desired < s.min) await c.ecs.send(new UpdateServiceCommand({ cluster: names.cluster, service: s.name, desiredCount: s.min }));
  }
  const start = o.clock.now();
  let running = new Map<string, number>();
  await poll(
    o.clock,
    remaining(),
    WAKE_POLL_MS,
    async () => {
      const now = await describeServices(
        c,
        names.cluster,
        actions.services.map((s) => s.name),
      );
      running = new Map(actions.services.map((s) => [s.name, now.get(s.name)?.runningCount ?? 0]));
      return actions.services.every((s) => running.get(s.name)! >= s.min) ? true : undefined;
    },
    () => {
      const short = actions.services.filter((s) => running.get(s.name)! < s.min).map((s) => `${s.name} ${running.get(s.name)} of ${s.min}`);
      return `services not running after the timeout: ${short.join(', ')} task(s); see npm run ops -- status ${config.name}`;
    },
  );
  for (const s of actions.services)
    o.progress(`service ${s.name}: ${s.min}-${s.max} tasks, ${running.get(s.name)} running (${seconds(o.clock.now() - start)})`);
  o.progress(`${config.name} is awake; the schedule's next stop action scales it down again`);
  return true;
}
