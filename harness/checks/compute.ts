/** Compute checks: the instances' group and launch template, the cluster's capacity provider, the schedule. */
import { scheduleTimes } from '../../src/compute/schedule-times';
import { expect, Json, same } from '../checks';
import { Deployment, ids } from './deployment';

export function checkSchedule(d: Deployment): void {
  const { checks, aws, config, out } = d;
  checks.run('schedule: the instances and every service scale to zero after hours and back', () => {
    const actions: Json[] = aws(
      'autoscaling',
      'describe-scheduled-actions',
      '--auto-scaling-group-name',
      out.autoscaling_group_name,
    ).ScheduledUpdateGroupActions;
    const sizes = actions.map((a) => `${a.Recurrence}:${a.MinSize}/${a.MaxSize}/${a.DesiredCapacity}`).sort();
    expect(actions.length === 2, `${actions.length} scheduled actions on ${out.autoscaling_group_name}: ${sizes}`);
    // ECS protects the instances from scale-in: the stop lowers only the minimum and ECS scales in.
    const stop = actions.find((a) => a.MinSize === 0);
    expect(stop && stop.MaxSize !== 0 && stop.DesiredCapacity !== 0, `no action that lowers only the minimum to 0: ${sizes}`);
    expect(
      actions.some((a) => a.MinSize === config.capacity.min && a.MaxSize === config.capacity.max),
      `no action back to ${config.capacity.min}-${config.capacity.max}: ${sizes}`,
    );
    for (const service of config.services) expectServiceToZero(d, service.name);
    return sizes.join(', ');
  });
}

/** Two scheduled actions on the service's scalable target, one of them to zero. */
function expectServiceToZero(d: Deployment, name: string): void {
  const resourceId = `service/${d.out.cluster_name}/${d.out.services[name].service_name}`;
  const scheduled: Json[] = d.aws(
    'application-autoscaling',
    'describe-scheduled-actions',
    '--service-namespace',
    'ecs',
    '--resource-id',
    resourceId,
  ).ScheduledActions;
  const ranges = scheduled.map((a) => `${a.Schedule}:${a.ScalableTargetAction?.MinCapacity}-${a.ScalableTargetAction?.MaxCapacity}`).sort();
  expect(scheduled.length === 2, `${scheduled.length} scheduled actions on ${resourceId}: ${ranges}`);
  expect(
    scheduled.some((a) => a.ScalableTargetAction?.MaxCapacity === 0),
    `${name}: no action to zero: ${ranges}`,
  );
}

export function checkNatSchedule(d: Deployment): void {
  const { checks, aws, config, out } = d;
  checks.run('schedule: the NAT instance is up from before the instances start until after they stop', () => {
    const times = scheduleTimes(config.schedule.start, config.schedule.stop);
    const groupName = out.nat_autoscaling_group_name;
    expect(groupName, 'no nat_autoscaling_group_name output');
    const actions: Json[] = aws(
      'autoscaling',
      'describe-scheduled-actions',
      '--auto-scaling-group-name',
      groupName,
    ).ScheduledUpdateGroupActions;
    const sizes = actions.map((a) => `${a.Recurrence}:${a.MinSize}/${a.MaxSize}/${a.DesiredCapacity}`).sort();
    // Unix cron "MM HH ...": the time the action runs, compared with the times the config derives.
    const at = (a: Json) => {
      const [minute, hour] = String(a.Recurrence).split(' ');
      return `${hour.padStart(2, '0')}:${minute.padStart(2, '0')}`;
    };
    const up = actions.find((a) => a.MinSize === 1 && a.MaxSize === 1 && a.DesiredCapacity === 1);
    const down = actions.find((a) => a.MinSize === 0 && a.MaxSize === 0 && a.DesiredCapacity === 0);
    expect(actions.length === 2 && up && down, `${actions.length} scheduled actions on ${groupName}: ${sizes}`);
    expect(
      at(up) === times.natStart && at(down) === times.natStop,
      `up at ${at(up)}, down at ${at(down)}; expected ${times.natStart} and ${times.natStop}: ${sizes}`,
    );
    return `${groupName}: ${sizes.join(', ')}`;
  });
}

export function checkCapacity(d: Deployment): void {
  const { checks, aws, config } = d;
  checks.run('capacity: the ASG uses the private subnets and the launch template, which requires IMDSv2', () => {
    const group = d.asg();
    const zones = group.VPCZoneIdentifier.split(',');
    expect(same(zones, ids(d.subnets().privates)), `ASG subnets ${zones}, expected the private subnets`);
    expect(group.MinSize === config.capacity.min && group.MaxSize === config.capacity.max, `ASG size ${group.MinSize}-${group.MaxSize}`);
    const templateId =
      group.LaunchTemplate?.LaunchTemplateId ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification?.LaunchTemplateId;
    expect(templateId, 'the ASG has no launch template');
    const version = aws('ec2', 'describe-launch-template-versions', '--launch-template-id', templateId, '--versions', '$Latest')
      .LaunchTemplateVersions[0];
    const metadata = version.LaunchTemplateData.MetadataOptions ?? {};
    expect(metadata.HttpTokens === 'required', `launch template HttpTokens ${metadata.HttpTokens}, expected required`);
    return `${zones.length} private subnets, ${templateId} (HttpTokens required)`;
  });
}

export function checkCluster(d: Deployment): void {
  const { checks, aws, out } = d;
  const cluster = out.cluster_name;
  checks.run('cluster: the capacity provider is the default strategy and scales the ASG', () => {
    const c = aws('ecs', 'describe-clusters', '--clusters', cluster).clusters[0];
    expect(c?.status === 'ACTIVE', `cluster ${cluster} is ${c?.status ?? 'missing'}`);
    const provider = out.capacity_provider_name;
    expect(c.capacityProviders?.includes(provider), `cluster capacity providers ${c.capacityProviders}`);
    const strategy = c.defaultCapacityProviderStrategy ?? [];
    expect(strategy.length === 1 && strategy[0].capacityProvider === provider, `default strategy ${JSON.stringify(strategy)}`);
    const cp = aws('ecs', 'describe-capacity-providers', '--capacity-providers', provider).capacityProviders[0];
    expect(
      cp.autoScalingGroupProvider.autoScalingGroupArn === d.asg().AutoScalingGroupARN,
      `capacity provider scales ${cp.autoScalingGroupProvider.autoScalingGroupArn}`,
    );
    return `${provider} -> ${out.autoscaling_group_name}`;
  });
}
