import { ASSUMPTIONS } from '../../tools/cost/assumptions';
import { estimateStack, Line, monthly, StackEstimate, TerraformJson } from '../../tools/cost/estimate';
import { explain, renderText } from '../../tools/cost/render';
import { demoConfigs } from '../support/fixtures';
import { synthStack } from '../support/stacks';

/**
 * Fargate, Fargate Spot and EC2 Spot from JSON in the synthesized shape: a Fargate task definition
 * (task-level cpu/memory, runtime_platform), a service with a FARGATE/FARGATE_SPOT strategy, a Spot
 * group with a mixed instances policy. Figures by hand from the us-east-1 list prices, 730 h/month.
 */

function stack(resource: Record<string, Record<string, any>>, region = 'us-east-1'): TerraformJson {
  return { provider: { aws: [{ region }] }, resource };
}

function line(e: StackEstimate, item: string): Line {
  const found = e.lines.filter((l) => l.item === item);
  if (found.length !== 1) throw new Error(`expected one line ${item}, found ${found.length}: ${e.lines.map((l) => l.item).join('; ')}`);
  return found[0];
}

const cost = (e: StackEstimate, item: string, size: 'min' | 'max' = 'min') => monthly(line(e, item), size);

const taskDefinition = (extra: Record<string, unknown> = {}) => ({
  family: 'app-posts',
  requires_compatibilities: ['FARGATE'],
  network_mode: 'awsvpc',
  cpu: '256',
  memory: '512',
  runtime_platform: { cpu_architecture: 'X86_64', operating_system_family: 'LINUX' },
  container_definitions: '[]',
  ...extra,
});

const service = (strategy: unknown, extra: Record<string, unknown> = {}) => ({
  name: 'posts',
  cluster: '${aws_ecs_cluster.cluster.id}',
  task_definition: '${aws_ecs_task_definition.posts.arn}',
  desired_count: 1,
  capacity_provider_strategy: strategy,
  network_configuration: { subnets: ['${aws_subnet.a.id}'], security_groups: ['${aws_security_group.posts.id}'], assign_public_ip: false },
  ...extra,
});

/** The service with its scalable target at 1-2 tasks, as the services construct writes it. */
function fargateStack(
  strategy: unknown,
  opts: {
    td?: Record<string, unknown>;
    svc?: Record<string, unknown>;
    tasks?: [number, number];
    extra?: Record<string, any>;
    region?: string;
  } = {},
): TerraformJson {
  const [min, max] = opts.tasks ?? [1, 2];
  return stack(
    {
      aws_ecs_task_definition: { posts: taskDefinition(opts.td) },
      aws_ecs_service: { posts: service(strategy, opts.svc) },
      aws_appautoscaling_target: {
        posts: {
          min_capacity: min,
          max_capacity: max,
          resource_id: 'service/${aws_ecs_cluster.cluster.name}/${aws_ecs_service.posts.name}',
          scalable_dimension: 'ecs:service:DesiredCount',
          service_namespace: 'ecs',
        },
      },
      ...opts.extra,
    },
    opts.region,
  );
}

const FARGATE = [{ capacity_provider: 'FARGATE', weight: 1 }];
const FARGATE_SPOT = [{ capacity_provider: 'FARGATE_SPOT', weight: 1 }];

// 0.25 vCPU x 730 h x $0.04048 = 7.3876; 0.5 GB x 730 h x $0.004445 = 1.622425
const X86_VCPU = 7.3876;
const X86_GB = 1.622425;

describe('Fargate', () => {
  test('a FARGATE service: its tasks x vCPU-hours and GB-hours at the Linux/x86 price, with the table date', () => {
    const e = estimateStack('test', fargateStack(FARGATE));
    const vcpu = line(e, 'Fargate posts vCPU (Linux/x86)');
    expect(vcpu.count).toEqual({ min: 1, max: 2 });
    expect(explain(vcpu)).toBe('1 (max 2) tasks × 0.25 vCPU × 730 h × $0.04048/vCPU-h');
    expect(explain(line(e, 'Fargate posts memory (Linux/x86)'))).toBe('1 (max 2) tasks × 0.5 GB × 730 h × $0.004445/GB-h');
    expect(cost(e, 'Fargate posts vCPU (Linux/x86)')).toBeCloseTo(X86_VCPU, 6);
    expect(cost(e, 'Fargate posts memory (Linux/x86)', 'max')).toBeCloseTo(2 * X86_GB, 6);
    expect(e.total.min).toBeCloseTo(X86_VCPU + X86_GB, 6); // 9.010025
    expect(vcpu.note).toBe(
      'AWS Fargate list price of 2026-12-01 (aws.amazon.com/fargate/pricing), Linux/x86, per second with a 1-minute minimum',
    );
    expect(e.free).toContainEqual({
      type: 'aws_ecs_task_definition',
      count: 1,
      reason: 'Fargate tasks are priced on the service that runs them',
    });
  });

  test('ARM64 at the Linux/ARM price; a larger task scales both dimensions', () => {
    const e = estimateStack(
      'test',
      fargateStack(FARGATE, { td: { cpu: '1024', memory: '3072', runtime_platform: { cpu_architecture: 'ARM64' } } }),
    );
    expect(cost(e, 'Fargate posts vCPU (Linux/ARM)')).toBeCloseTo(23.6374, 6); // 1 x 730 x $0.03238
    expect(cost(e, 'Fargate posts memory (Linux/ARM)')).toBeCloseTo(7.7964, 6); // 3 GB x 730 x $0.00356
  });

  test('FARGATE_SPOT at the assumed discount, stated on the line; --spot-discount (the assumption) moves it', () => {
    const e = estimateStack('test', fargateStack(FARGATE_SPOT));
    const vcpu = line(e, 'Fargate Spot posts vCPU (Linux/x86)');
    expect(explain(vcpu)).toBe('1 (max 2) tasks × 0.25 vCPU × 730 h × 0.4 of on-demand (Spot, assumed) × $0.04048/vCPU-h');
    expect(e.total.min).toBeCloseTo((X86_VCPU + X86_GB) * 0.4, 6); // 3.60401
    expect(vcpu.note).toContain(
      'Fargate Spot: an assumed 60% below the Fargate price (--spot-discount changes it), not a quote: Fargate Spot prices vary; AWS quotes up to 70% off',
    );
    expect(e.lines.some((l) => l.item.startsWith('Fargate posts'))).toBe(false);

    const at70 = estimateStack('test', fargateStack(FARGATE_SPOT), { ...ASSUMPTIONS, spotDiscountPercent: 70 });
    expect(at70.total.min).toBeCloseTo((X86_VCPU + X86_GB) * 0.3, 6);
    expect(line(at70, 'Fargate Spot posts vCPU (Linux/x86)').note).toMatch(
      /^AWS Fargate list price .*; Fargate Spot: an assumed 70% below/,
    );
    const at0 = estimateStack('test', fargateStack(FARGATE_SPOT), { ...ASSUMPTIONS, spotDiscountPercent: 0 });
    expect(at0.total.min).toBeCloseTo(estimateStack('test', fargateStack(FARGATE)).total.min, 6);
  });

  test('a FARGATE base and FARGATE_SPOT weight: the base on Fargate, the rest by weight, the Fargate share rounded up', () => {
    const strategy = [
      { capacity_provider: 'FARGATE', base: 1, weight: 1 },
      { capacity_provider: 'FARGATE_SPOT', weight: 3 },
    ];
    const e = estimateStack('test', fargateStack(strategy, { tasks: [1, 10] }));
    // 10 tasks: 1 base + ceil(9 x 1/4) = 4 on Fargate, 6 on Fargate Spot; 1 task: the base.
    expect(line(e, 'Fargate posts vCPU (Linux/x86)').count).toEqual({ min: 1, max: 4 });
    expect(line(e, 'Fargate Spot posts vCPU (Linux/x86)').count).toEqual({ min: 0, max: 6 });
    expect(e.total.max).toBeCloseTo((X86_VCPU + X86_GB) * (4 + 6 * 0.4), 6);
  });

  test('a base on FARGATE_SPOT stays on Spot', () => {
    const strategy = [
      { capacity_provider: 'FARGATE_SPOT', base: 2, weight: 1 },
      { capacity_provider: 'FARGATE', weight: 1 },
    ];
    const e = estimateStack('test', fargateStack(strategy, { tasks: [2, 4] }));
    expect(line(e, 'Fargate Spot posts vCPU (Linux/x86)').count).toEqual({ min: 2, max: 3 });
    expect(line(e, 'Fargate posts vCPU (Linux/x86)').count).toEqual({ min: 0, max: 1 });
  });

  test("launch_type FARGATE, and the cluster's default strategy, are Fargate too", () => {
    const byLaunchType = estimateStack('test', fargateStack(undefined, { svc: { launch_type: 'FARGATE' } }));
    expect(byLaunchType.total.min).toBeCloseTo(X86_VCPU + X86_GB, 6);
    const byDefault = estimateStack(
      'test',
      fargateStack(undefined, {
        extra: {
          aws_ecs_cluster_capacity_providers: {
            cp: { cluster_name: '${aws_ecs_cluster.cluster.name}', default_capacity_provider_strategy: FARGATE_SPOT },
          },
        },
      }),
    );
    expect(byDefault.total.min).toBeCloseTo((X86_VCPU + X86_GB) * 0.4, 6);
  });

  test('the working-hours schedule: tasks billed only while the service is up', () => {
    const action = (schedule: string, min: string, max: string) => ({
      resource_id: '${aws_appautoscaling_target.posts.resource_id}',
      schedule,
      timezone: 'UTC',
      scalable_target_action: { min_capacity: min, max_capacity: max },
    });
    const e = estimateStack(
      'test',
      fargateStack(FARGATE, {
        extra: {
          aws_appautoscaling_scheduled_action: {
            start: action('cron(0 7 ? * MON-FRI *)', '1', '2'),
            stop: action('cron(0 19 ? * MON-FRI *)', '0', '0'),
          },
        },
      }),
    );
    // 5 x 12 h = 60 h of the week's 168: 730 x 60/168 = 260.71 h
    const vcpu = line(e, 'Fargate posts vCPU (Linux/x86)');
    expect(vcpu.factors[1]).toEqual({ value: 260.71, unit: 'h' });
    expect(vcpu.note).toContain('scheduled: up 60 h a week (2 aws_appautoscaling_scheduled_action), at zero the rest');
    expect(e.total.min).toBeCloseTo(260.71 * (0.25 * 0.04048 + 0.5 * 0.004445), 6);
  });

  test('ephemeral storage above the 20 GB included, and a public IP per task', () => {
    const e = estimateStack(
      'test',
      fargateStack(FARGATE, {
        td: { ephemeral_storage: { size_in_gib: 30 } },
        svc: { network_configuration: { subnets: ['x'], assign_public_ip: true } },
      }),
    );
    expect(cost(e, 'Fargate posts ephemeral storage above 20 GB')).toBeCloseTo(0.8103, 6); // 10 GB x 730 x $0.000111
    expect(cost(e, 'public IPv4 address (Fargate task of posts)', 'max')).toBeCloseTo(7.3, 6); // 2 x 730 x $0.005
  });

  test('a service on an EC2 capacity provider stays free, with the reason as before', () => {
    const e = estimateStack(
      'test',
      stack({
        aws_ecs_task_definition: {
          app: { family: 'app', requires_compatibilities: ['EC2'], network_mode: 'bridge', container_definitions: '[]' },
        },
        aws_ecs_service: {
          app: service([{ capacity_provider: '${aws_ecs_capacity_provider.cp.name}', weight: 1 }], {
            task_definition: '${aws_ecs_task_definition.app.arn}',
          }),
        },
      }),
    );
    expect(e.lines).toEqual([]);
    expect(e.free).toEqual([
      { type: 'aws_ecs_service', count: 1, reason: 'ECS on EC2 has no charge of its own (tasks run on the priced instances)' },
      { type: 'aws_ecs_task_definition', count: 1, reason: 'ECS on EC2 has no charge of its own' },
    ]);
  });

  describe('what it cannot price stops with one line', () => {
    const fails = (json: TerraformJson) => () => estimateStack('test', json);
    test('a strategy mixing Fargate and an Auto Scaling group provider (ECS refuses it too)', () => {
      const mixed = [
        { capacity_provider: 'FARGATE', weight: 1 },
        { capacity_provider: '${aws_ecs_capacity_provider.cp.name}', weight: 1 },
      ];
      expect(fails(fargateStack(mixed))).toThrow(
        'stack test: aws_ecs_service.posts: its capacity provider strategy mixes Fargate and Auto Scaling group providers, which ECS refuses',
      );
    });
    test('no task-level cpu and memory', () => {
      expect(fails(fargateStack(FARGATE, { td: { cpu: undefined } }))).toThrow(
        'stack test: aws_ecs_service.posts: its task definition has no literal task-level cpu and memory',
      );
    });
    test('Windows', () => {
      expect(fails(fargateStack(FARGATE, { td: { runtime_platform: { operating_system_family: 'WINDOWS_SERVER_2022_CORE' } } }))).toThrow(
        'stack test: aws_ecs_service.posts: Fargate WINDOWS_SERVER_2022_CORE/X86_64 is not in the price table (have LINUX with X86_64, ARM64)',
      );
    });
    test('a region without Fargate prices', () => {
      expect(fails(fargateStack(FARGATE, { region: 'eu-west-1' }))).toThrow(
        'stack test: aws_ecs_service.posts: Fargate is not in the price table for Europe (Ireland) (tools/cost/prices.ts)',
      );
    });
    test('no task definition in the stack', () => {
      expect(fails(fargateStack(FARGATE, { svc: { task_definition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/x:1' } }))).toThrow(
        'stack test: aws_ecs_service.posts: no task definition in this stack to price its Fargate tasks from',
      );
    });
    test('a schedule it cannot read', () => {
      const extra = {
        aws_appautoscaling_scheduled_action: {
          odd: { resource_id: '${aws_appautoscaling_target.posts.resource_id}', schedule: 'rate(1 hour)', scalable_target_action: {} },
        },
      };
      expect(fails(fargateStack(FARGATE, { extra }))).toThrow(
        'stack test: aws_appautoscaling_scheduled_action.odd: schedule "rate(1 hour)" is not a weekly "cron(M H ? * days *)" the price table can read',
      );
    });
  });
});

describe('EC2 Spot: a second group with a mixed instances policy, 0% on-demand', () => {
  const lt = { instance_type: 't3.small' };
  const spotGroup = (extra: Record<string, unknown> = {}) => ({
    min_size: 0,
    max_size: 2,
    capacity_rebalance: true,
    mixed_instances_policy: {
      instances_distribution: {
        on_demand_base_capacity: 0,
        on_demand_percentage_above_base_capacity: 0,
        spot_allocation_strategy: 'price-capacity-optimized',
      },
      launch_template: {
        launch_template_specification: { launch_template_id: '${aws_launch_template.spot.id}', version: '$Latest' },
        override: [{ instance_type: 't3.small' }, { instance_type: 't3a.small' }, { instance_type: 't2.small' }],
      },
    },
    ...extra,
  });
  const twoGroups = stack({
    aws_launch_template: { lt, spot: lt },
    aws_autoscaling_group: {
      ondemand: { min_size: 1, max_size: 2, launch_template: { id: '${aws_launch_template.lt.id}' } },
      spot: spotGroup(),
    },
  });

  test('the on-demand group at on-demand, the Spot group at the assumed discount off its first override, the rule stated', () => {
    const e = estimateStack('test', twoGroups);
    expect(line(e, 'EC2 t3.small on-demand').count).toEqual({ min: 1, max: 2 });
    const spot = line(e, 'EC2 t3.small Spot');
    expect(spot.count).toEqual({ min: 0, max: 2 });
    expect(explain(spot)).toBe('0 (max 2) instances × 730 h × 0.4 of on-demand (Spot, assumed) × $0.0208/h');
    expect(monthly(spot, 'max')).toBeCloseTo(12.1472, 6); // 2 x 730 x $0.0208 x 0.4
    expect(spot.note).toContain('priced as the first override; the group may also launch t3a.small, t2.small');
    expect(spot.note).toContain('EC2 Spot: an assumed 60% below the on-demand rate (--spot-discount changes it), not a quote');
    expect(spot.note).toContain(
      "count: the group at its own min and max size, its instances above the on-demand base Spot (a service's minTasks, the strategy's base, run on the on-demand group); at the maximum an upper bound, as the strategy's weight shares the tasks above the base with the on-demand group",
    );
    // EBS follows the instances of both groups, at the full price (one line, the counts added).
    expect(line(e, 'EBS gp3 volume').count).toEqual({ min: 1, max: 4 });
  });

  test('the discount is the assumption: 70% makes Spot 0.3 of on-demand, 0% the on-demand price', () => {
    const at70 = estimateStack('test', twoGroups, { ...ASSUMPTIONS, spotDiscountPercent: 70 });
    expect(monthly(line(at70, 'EC2 t3.small Spot'), 'max')).toBeCloseTo(9.1104, 6);
    const at0 = estimateStack('test', twoGroups, { ...ASSUMPTIONS, spotDiscountPercent: 0 });
    expect(monthly(line(at0, 'EC2 t3.small Spot'), 'max')).toBeCloseTo(30.368, 6);
    // The on-demand group does not move.
    expect(monthly(line(at70, 'EC2 t3.small on-demand'), 'max')).toBeCloseTo(30.368, 6);
  });

  test('a Spot-only group has no on-demand line of its own', () => {
    const e = estimateStack('test', stack({ aws_launch_template: { spot: lt }, aws_autoscaling_group: { spot: spotGroup() } }));
    expect(e.lines.map((l) => l.item)).toEqual(['EC2 t3.small Spot', 'EBS gp3 volume']);
  });

  test('the committed assumption is 60%', () => {
    expect(ASSUMPTIONS.spotDiscountPercent).toBe(60);
  });
});

describe('the microservices example', () => {
  const config = demoConfigs(['microservices'])[0];
  const synthesized = synthStack(config);
  const asText = (json: TerraformJson) => renderText(estimateStack(synthesized.name, json));

  test('each service that runs on Fargate or Fargate Spot has its lines, whatever the demo holds', () => {
    const e = estimateStack(synthesized.name, synthesized.json);
    for (const svc of config.services.filter((s) => s.runsOn !== 'ec2')) {
      const what = svc.runsOn === 'fargate' ? 'Fargate' : 'Fargate Spot';
      expect(e.lines.filter((l) => new RegExp(`^${what} ${svc.name} (vCPU|memory) \\(Linux/(x86|ARM)\\)$`).test(l.item))).toHaveLength(2);
    }
  });

  /** The demo's synthesized stack (posts on Fargate, threads on Fargate Spot, a Spot group beside the on-demand one), a copy to change. */
  const copy = (): TerraformJson => JSON.parse(JSON.stringify(synthesized.json));

  test('Fargate, Fargate Spot and EC2 Spot side by side, each with its price basis and assumption in the output', () => {
    const json = copy();
    const e = estimateStack(synthesized.name, json);
    const fargate = e.lines.filter((l) => l.item.startsWith('Fargate posts '));
    const spot = e.lines.filter((l) => l.item.startsWith('Fargate Spot threads '));
    const posts = config.services.find((s) => s.name === 'posts')!.scaling;
    expect(fargate.map((l) => l.count)).toEqual([0, 1].map(() => ({ min: posts.minTasks, max: posts.maxTasks })));
    // Same task size and counts: Fargate Spot is the assumed 0.4 of Fargate.
    const total = (lines: Line[]) => lines.reduce((s, l) => s + monthly(l, 'min'), 0);
    expect(total(spot)).toBeCloseTo(total(fargate) * 0.4, 6);
    expect(line(e, 'EC2 t3.small Spot').count.min).toBe(0);

    const text = asText(json);
    expect(text).toMatch(/Fargate posts vCPU \(Linux\/x86\).*× 0\.25 vCPU × 730 h × \$0\.04048\/vCPU-h/);
    expect(text).toMatch(/Fargate Spot threads vCPU \(Linux\/x86\).*× 0\.4 of on-demand \(Spot, assumed\) × \$0\.04048\/vCPU-h/);
    expect(text).toMatch(/EC2 t3\.small Spot.*× 0\.4 of on-demand \(Spot, assumed\) × \$0\.0208\/h/);
    expect(text).toContain('AWS Fargate list price of 2026-12-01');
    expect(text).toContain('Fargate Spot: an assumed 60% below the Fargate price (--spot-discount changes it)');
    expect(text).toContain('EC2 Spot: an assumed 60% below the on-demand rate (--spot-discount changes it)');
  });

  test('the EC2 services and everything else price as before', () => {
    const before = estimateStack(synthesized.name, synthesized.json);
    const after = estimateStack(synthesized.name, copy());
    const other = (e: StackEstimate) =>
      e.lines.filter((l) => !l.item.includes('Spot') && !l.item.startsWith('Fargate') && l.type !== 'aws_autoscaling_group');
    expect(other(after)).toEqual(other(before));
  });
});
