import { INSTANCE_TYPES } from '../src/compute/instance-types';
import { defaultSpotInstanceTypes } from '../src/compute/resolve';
import { SPOT_DEFAULTS, SPOT_INSTANCE_TYPES_COUNT } from '../src/compute/settings';
import { environmentNames } from '../src/shared/names';
import { DEMO_ENVIRONMENTS, demoConfig, demoConfigs } from './support/fixtures';
import { synthStack, synthStacks, VARIANTS } from './support/stacks';

const BURSTABLE = /^(t2|t3|t3a|t4g)\./;

describe('the default Spot instance types', () => {
  test.each(Object.keys(INSTANCE_TYPES))('%s: itself first, then its kind, never smaller, at most twice its size', (type) => {
    const own = INSTANCE_TYPES[type];
    const types = defaultSpotInstanceTypes(type, own);
    expect(types[0]).toBe(type);
    expect(types.length).toBeLessThanOrEqual(SPOT_INSTANCE_TYPES_COUNT.max);
    expect(new Set(types).size).toBe(types.length);
    for (const t of types) {
      const spec = INSTANCE_TYPES[t];
      expect(spec.architecture).toBe(own.architecture);
      expect(BURSTABLE.test(t)).toBe(BURSTABLE.test(type));
      expect(spec.vcpus).toBeGreaterThanOrEqual(own.vcpus);
      expect(spec.vcpus).toBeLessThanOrEqual(2 * own.vcpus);
      expect(spec.memoryMiB).toBeGreaterThanOrEqual(own.memoryMiB);
      expect(spec.memoryMiB).toBeLessThanOrEqual(2 * own.memoryMiB);
    }
  });

  test("the demo's types: the same size across families first", () => {
    expect(defaultSpotInstanceTypes('t3.small', INSTANCE_TYPES['t3.small'])).toEqual(['t3.small', 't3a.small', 't2.medium', 't3.medium']);
    expect(defaultSpotInstanceTypes('m7i.large', INSTANCE_TYPES['m7i.large'])).toEqual(['m7i.large', 'm5.large', 'm6a.large', 'm6i.large']);
  });
});

/** Every EC2 service's capacity provider strategy, with the providers' names. */
function ec2Strategies(json: any): Record<string, { name: string; weight: number; base: number }[]> {
  const providers: Record<string, any> = json.resource!.aws_ecs_capacity_provider ?? {};
  const nameOf = (ref: string) => Object.entries(providers).find(([id]) => ref.includes(`aws_ecs_capacity_provider.${id}.`))?.[1].name;
  return Object.fromEntries(
    Object.values<any>(json.resource!.aws_ecs_service)
      .filter((s) => s.capacity_provider_strategy.some((e: any) => nameOf(e.capacity_provider)))
      .map((s) => [
        s.name,
        s.capacity_provider_strategy.map((e: any) => ({ name: nameOf(e.capacity_provider), weight: e.weight, base: e.base })),
      ]),
  );
}

describe("EC2 services' capacity provider strategy", () => {
  test('with Spot: minTasks on on-demand, the rest spot.weight:1 on Spot', () => {
    for (const config of [...demoConfigs(['microservices']), VARIANTS.spot()]) {
      expect(config.spot.enabled).toBe(true);
      const names = environmentNames(config.namePrefix);
      const strategies = ec2Strategies(synthStack(config).json);
      const ec2 = config.services.filter((s) => s.runsOn === 'ec2');
      expect(Object.keys(strategies).sort()).toEqual(ec2.map((s) => s.name).sort());
      for (const s of ec2)
        expect(strategies[s.name]).toEqual([
          { name: names.capacityProvider, weight: 1, base: s.scaling.minTasks },
          { name: names.spotCapacityProvider, weight: config.spot.weight, base: 0 },
        ]);
    }
  });

  test('without Spot: the on-demand provider alone, as before', () => {
    const configs = demoConfigs(['dev', 'prod']);
    for (const [i, { stack, json }] of synthStacks(configs).entries()) {
      expect(stack.capacity.spotCapacityProvider).toBeUndefined();
      const names = environmentNames(configs[i].namePrefix);
      for (const strategy of Object.values(ec2Strategies(json)))
        expect(strategy).toEqual([{ name: names.capacityProvider, weight: 1, base: 0 }]);
    }
  });

  test('spot.weight and spot.instanceTypes reach the strategy and the group', () => {
    const config = demoConfig('microservices', {
      spot: { enabled: true, weight: 1, instanceTypes: ['t3.small', 't3a.small', 't3.medium'] },
    });
    expect(config.spot.weight).not.toBe(SPOT_DEFAULTS.weight);
    const { stack, json } = synthStack(config);
    for (const strategy of Object.values(ec2Strategies(json))) expect(strategy[1].weight).toBe(1);
    const group = json.resource!.aws_autoscaling_group[stack.capacity.spotAutoScalingGroup!.friendlyUniqueId];
    expect(group.mixed_instances_policy.launch_template.override).toEqual([
      { instance_type: 't3.small' },
      { instance_type: 't3a.small' },
      { instance_type: 't3.medium' },
    ]);
  });

  test("the working-hours schedule keeps the Spot group's minimum at 0 and restores its maximum", () => {
    const config = demoConfig('dev', { spot: { enabled: true } });
    expect(config.schedule.enabled).toBe(true);
    const { stack, json } = synthStack(config);
    const spot = stack.capacity.spotAutoScalingGroup!;
    const actions = Object.values<any>(json.resource!.aws_autoscaling_schedule).filter((a) =>
      a.autoscaling_group_name.includes(`aws_autoscaling_group.${spot.friendlyUniqueId}.`),
    );
    expect(actions.map((a) => [a.min_size, a.max_size, a.desired_capacity])).toEqual([
      [0, config.capacity.max, -1],
      [0, -1, -1],
    ]);
    expect(json.resource!.aws_autoscaling_group[spot.friendlyUniqueId].lifecycle.ignore_changes).toEqual(
      expect.arrayContaining(['desired_capacity', 'min_size', 'max_size']),
    );
  });
});

test('the demo fixture and the example keep Spot on for microservices', () => {
  expect(DEMO_ENVIRONMENTS.microservices.spot?.enabled).toBe(true);
});
