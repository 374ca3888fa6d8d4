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

/**
 * spot.enabled: the Spot group's mixed instances policy as AWS reads it back (all Spot,
 * price-capacity-optimized, the overrides unweighted, capacity rebalancing), its template's Spot
 * draining, the on-demand group still on its launch template alone, both capacity providers on the
 * cluster, and each EC2 service's strategy.
 */
export function checkSpot(d: Deployment): void {
  const { checks, aws, config, out } = d;
  checks.run('spot: an all-Spot group, diversified, unweighted and rebalanced, beside the on-demand group', () => {
    const name = out.spot_autoscaling_group_name;
    expect(name, 'no spot_autoscaling_group_name output');
    const group = aws('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', name).AutoScalingGroups[0];
    expect(group, `no Auto Scaling group ${name}`);
    const policy = group.MixedInstancesPolicy;
    expect(policy, `${name} has no MixedInstancesPolicy`);
    const distribution = policy.InstancesDistribution ?? {};
    expect(
      distribution.OnDemandBaseCapacity === 0 &&
        distribution.OnDemandPercentageAboveBaseCapacity === 0 &&
        distribution.SpotAllocationStrategy === 'price-capacity-optimized',
      `instances distribution ${JSON.stringify(distribution)}`,
    );
    const overrides: Json[] = policy.LaunchTemplate?.Overrides ?? [];
    const types = overrides.map((o) => o.InstanceType);
    expect(
      JSON.stringify(types) === JSON.stringify(config.spot.instanceTypes),
      `overrides ${types}, expected ${config.spot.instanceTypes}`,
    );
    expect(
      overrides.every((o) => o.WeightedCapacity === undefined),
      `weighted overrides: ${JSON.stringify(overrides)}`,
    );
    expect(group.CapacityRebalance === true, `CapacityRebalance ${group.CapacityRebalance}`);
    expect(group.NewInstancesProtectedFromScaleIn === true, `NewInstancesProtectedFromScaleIn ${group.NewInstancesProtectedFromScaleIn}`);
    expect(group.MinSize === 0 && group.MaxSize === config.capacity.max, `size ${group.MinSize}-${group.MaxSize}`);
    const templateId = policy.LaunchTemplate.LaunchTemplateSpecification.LaunchTemplateId;
    const version = aws('ec2', 'describe-launch-template-versions', '--launch-template-id', templateId, '--versions', '$Latest')
      .LaunchTemplateVersions[0];
    const userData = Buffer.from(version.LaunchTemplateData.UserData ?? '', 'base64').toString('utf8');
    expect(userData.includes('ECS_ENABLE_SPOT_INSTANCE_DRAINING=true'), `${templateId} user data does not drain Spot instances`);
    const onDemand = d.asg();
    expect(onDemand.LaunchTemplate && !onDemand.MixedInstancesPolicy, `${onDemand.AutoScalingGroupName}: not on its launch template alone`);
    return `${name}: ${types.join(', ')}, price-capacity-optimized, CapacityRebalance, ${templateId} drains`;
  });
  checks.run('spot: both capacity providers on the cluster, and each EC2 service puts minTasks on on-demand', () => {
    const spotProvider = out.spot_capacity_provider_name;
    expect(spotProvider, 'no spot_capacity_provider_name output');
    const providers = [out.capacity_provider_name, spotProvider];
    const c = aws('ecs', 'describe-clusters', '--clusters', out.cluster_name).clusters[0];
    expect(
      providers.every((p) => c.capacityProviders?.includes(p)),
      `cluster capacity providers ${c.capacityProviders}`,
    );
    const spot = aws('ecs', 'describe-capacity-providers', '--capacity-providers', spotProvider).capacityProviders[0];
    const asgProvider = spot.autoScalingGroupProvider;
    expect(
      asgProvider.managedTerminationProtection === 'ENABLED' &&
        asgProvider.managedDraining === 'ENABLED' &&
        asgProvider.managedScaling?.status === 'ENABLED',
      `Spot capacity provider ${JSON.stringify(asgProvider)}`,
    );
    const ec2 = config.services.filter((s) => s.runsOn === 'ec2');
    const described: Json[] = aws(
      'ecs',
      'describe-services',
      '--cluster',
      out.cluster_name,
      '--services',
      ...ec2.map((s) => s.name),
    ).services;
    // The provider holds the strategy as a set (no order), and the API may leave out a base of 0.
    const items = (strategy: Json[]) =>
      strategy
        .map((i) => `${i.capacityProvider} weight ${i.weight} base ${i.base ?? 0}`)
        .sort()
        .join('; ');
    for (const s of ec2) {
      const strategy = described.find((x) => x.serviceName === s.name)?.capacityProviderStrategy ?? [];
      const expected = items([
        { capacityProvider: out.capacity_provider_name, weight: 1, base: s.scaling.minTasks },
        { capacityProvider: spotProvider, weight: config.spot.weight, base: 0 },
      ]);
      expect(items(strategy) === expected, `${s.name}: strategy ${items(strategy)}, expected ${expected}`);
    }
    return `${providers.join(', ')}; ${ec2.map((s) => `${s.name} base ${s.scaling.minTasks}`).join(', ')}`;
  });
}
