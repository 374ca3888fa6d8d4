import { ASSUMPTIONS } from '../../tools/cost/assumptions';
import { CostError, estimateStack, Line, monthly, StackEstimate, TerraformJson } from '../../tools/cost/estimate';
import { explain } from '../../tools/cost/render';

/**
 * Each resource kind priced from a small synthetic cdk.tf.json. Expectations are computed by hand
 * from the us-east-1 list prices (730 h/month) and tools/cost/assumptions.ts, written out in the
 * comments, so a wrong price, count or formula fails here.
 */

function stack(
  resource: Record<string, Record<string, any>>,
  data: Record<string, Record<string, any>> = {},
  region = 'us-east-1',
): TerraformJson {
  return { provider: { aws: [{ region }] }, resource, data };
}

function estimate(json: TerraformJson): StackEstimate {
  return estimateStack('test', json);
}

/** The one line whose item matches; fails when there is not exactly one. */
function line(e: StackEstimate, item: string | RegExp): Line {
  const found = e.lines.filter((l) => (typeof item === 'string' ? l.item === item : item.test(l.item)));
  if (found.length !== 1) throw new Error(`expected one line ${item}, found ${found.length}: ${e.lines.map((l) => l.item).join('; ')}`);
  return found[0];
}

const cost = (e: StackEstimate, item: string | RegExp, size: 'min' | 'max' = 'min') => monthly(line(e, item), size);

const lt = (extra: Record<string, unknown> = {}) => ({ instance_type: 't3.small', ...extra });
const asg = (extra: Record<string, unknown> = {}) => ({
  min_size: 2,
  max_size: 5,
  launch_template: { id: '${aws_launch_template.lt.id}', version: '${aws_launch_template.lt.latest_version}' },
  ...extra,
});

describe('network', () => {
  test('a NAT gateway: hours and the assumed data processed', () => {
    const e = estimate(
      stack({ aws_nat_gateway: { nat: { allocation_id: '${aws_eip.ip.allocation_id}' } }, aws_eip: { ip: { domain: 'vpc' } } }),
    );
    expect(cost(e, 'NAT gateway')).toBeCloseTo(32.85, 6); // 730 h x $0.045
    expect(cost(e, 'NAT gateway data processed')).toBeCloseTo(0.225, 6); // 5 GB x $0.045
    expect(cost(e, 'public IPv4 address (NAT gateway Elastic IP)')).toBeCloseTo(3.65, 6); // 730 h x $0.005
    expect(e.total.min).toBeCloseTo(36.725, 6);
  });

  test('three NAT gateways merge into one line of three', () => {
    const nats = Object.fromEntries(['a', 'b', 'c'].map((az) => [`nat-${az}`, { allocation_id: `\${aws_eip.ip-${az}.allocation_id}` }]));
    const eips = Object.fromEntries(['a', 'b', 'c'].map((az) => [`ip-${az}`, { domain: 'vpc' }]));
    const e = estimate(stack({ aws_nat_gateway: nats, aws_eip: eips }));
    expect(line(e, 'NAT gateway').count).toEqual({ min: 3, max: 3 });
    expect(cost(e, 'NAT gateway')).toBeCloseTo(98.55, 6); // 3 x 32.85
    expect(cost(e, /Elastic IP/)).toBeCloseTo(10.95, 6); // 3 x 3.65
  });

  test('an Elastic IP of its own is a public IPv4 address too', () => {
    const e = estimate(stack({ aws_eip: { ip: { domain: 'vpc' } } }));
    expect(cost(e, 'public IPv4 address (Elastic IP)')).toBeCloseTo(3.65, 6);
  });

  test('an interface endpoint costs per AZ and per GB; a gateway endpoint is free', () => {
    const e = estimate(
      stack({
        aws_vpc_endpoint: {
          ecr: { vpc_endpoint_type: 'Interface', service_name: 'com.amazonaws.us-east-1.ecr.api', subnet_ids: ['a', 'b'] },
          s3: { vpc_endpoint_type: 'Gateway', service_name: 'com.amazonaws.us-east-1.s3' },
        },
      }),
    );
    expect(cost(e, 'interface endpoint api')).toBeCloseTo(14.6, 6); // 2 AZ x 730 h x $0.01
    expect(cost(e, 'interface endpoint api data processed')).toBeCloseTo(0.01, 6); // 1 GB x $0.01
    expect(e.free).toEqual([{ type: 'aws_vpc_endpoint', count: 1, reason: 'gateway endpoints (S3, DynamoDB) are free' }]);
  });

  test('free types are listed with their reason and count, not priced', () => {
    const e = estimate(stack({ aws_vpc: { vpc: {} }, aws_subnet: { a: {}, b: {} } }, { aws_partition: { p: {} } }));
    expect(e.lines).toEqual([]);
    expect(e.total).toEqual({ min: 0, max: 0 });
    expect(e.free).toEqual([
      { type: 'aws_subnet', count: 2, reason: 'subnets are free' },
      { type: 'aws_vpc', count: 1, reason: 'VPCs are free' },
      { type: 'data.aws_partition', count: 1, reason: 'reads provider metadata' },
    ]);
  });
});

describe('load balancers', () => {
  test('an internet-facing ALB: hours, 1 LCU and one public IPv4 address per subnet', () => {
    const e = estimate(stack({ aws_lb: { alb: { load_balancer_type: 'application', internal: false, subnets: ['a', 'b', 'c'] } } }));
    expect(cost(e, 'Application Load Balancer')).toBeCloseTo(16.425, 6); // 730 h x $0.0225
    expect(cost(e, 'ALB capacity units')).toBeCloseTo(5.84, 6); // 1 LCU x 730 h x $0.008
    expect(cost(e, /ALB node/)).toBeCloseTo(10.95, 6); // 3 x 730 h x $0.005
    expect(e.total.min).toBeCloseTo(33.215, 6);
  });

  test('an internal ALB has no public addresses', () => {
    const e = estimate(stack({ aws_lb: { alb: { internal: true, subnets: ['a', 'b'] } } }));
    expect(e.lines.map((l) => l.item)).toEqual(['Application Load Balancer', 'ALB capacity units']);
  });

  test('an NLB: hours and NLCUs; nodes with their own Elastic IP are not counted twice', () => {
    const e = estimate(
      stack({
        aws_lb: {
          nlb: {
            load_balancer_type: 'network',
            subnet_mapping: [{ subnet_id: 'a', allocation_id: '${aws_eip.ip.id}' }, { subnet_id: 'b' }],
          },
        },
        aws_eip: { ip: {} },
      }),
    );
    expect(cost(e, 'Network Load Balancer')).toBeCloseTo(16.425, 6);
    expect(cost(e, 'NLB capacity units')).toBeCloseTo(4.38, 6); // 1 NLCU x 730 h x $0.006
    expect(line(e, /NLB node/).count.min).toBe(1);
    expect(line(e, 'public IPv4 address (Elastic IP)').count.min).toBe(1);
  });

  test('a gateway load balancer is not in the table: an error, not a zero', () => {
    expect(() => estimate(stack({ aws_lb: { gwlb: { load_balancer_type: 'gateway', subnets: ['a'] } } }))).toThrow(
      'stack test: aws_lb.gwlb: load_balancer_type gateway is not in the price table (have application, network)',
    );
  });
});

describe('instances', () => {
  test('an Auto Scaling group at min and max: instances, gp3 root volume and detailed monitoring', () => {
    const e = estimate(
      stack({
        aws_launch_template: {
          lt: lt({
            monitoring: { enabled: true },
            block_device_mappings: [{ device_name: '/dev/xvda', ebs: { volume_size: 40, volume_type: 'gp3' } }],
          }),
        },
        aws_autoscaling_group: { asg: asg() },
      }),
    );
    expect(cost(e, 'EC2 t3.small on-demand', 'min')).toBeCloseTo(30.368, 6); // 2 x 730 h x $0.0208
    expect(cost(e, 'EC2 t3.small on-demand', 'max')).toBeCloseTo(75.92, 6); // 5 x 15.184
    expect(cost(e, 'EBS gp3 volume', 'min')).toBeCloseTo(6.4, 6); // 2 x 40 GB x $0.08
    expect(cost(e, 'EBS gp3 volume', 'max')).toBeCloseTo(16, 6); // 5 x 3.20
    expect(cost(e, 'EC2 detailed monitoring', 'min')).toBeCloseTo(4.2, 6); // 2 x 7 metrics x $0.30
    expect(cost(e, 'EC2 detailed monitoring', 'max')).toBeCloseTo(10.5, 6);
    expect(e.total.min).toBeCloseTo(40.968, 6);
    expect(e.total.max).toBeCloseTo(102.42, 6);
    expect(explain(line(e, 'EC2 t3.small on-demand'))).toBe('2 (max 5) instances × 730 h × $0.0208/h');
    expect(line(e, 'EC2 t3.small on-demand').note).toMatch(/unlimited CPU credits/);
  });

  test('without a block device mapping the root volume is the ECS AMI default, 30 GiB gp3; no monitoring line when off', () => {
    const e = estimate(
      stack({
        aws_launch_template: { lt: { instance_type: 't2.micro' } },
        aws_autoscaling_group: { asg: asg({ min_size: 1, max_size: 2 }) },
      }),
    );
    expect(cost(e, 'EBS gp3 volume')).toBeCloseTo(2.4, 6); // 30 GB x $0.08
    expect(line(e, 'EBS gp3 volume').note).toMatch(/30 GiB/);
    expect(e.lines.map((l) => l.item)).toEqual(['EC2 t2.micro on-demand', 'EBS gp3 volume']);
    expect(cost(e, 'EC2 t2.micro on-demand', 'max')).toBeCloseTo(16.936, 6); // 2 x 730 h x $0.0116
    expect(line(e, 'EC2 t2.micro on-demand').note).toBeUndefined(); // t2 is standard credits by default
  });

  test('gp3 IOPS and throughput above the included baseline are extra', () => {
    const e = estimate(
      stack({
        aws_launch_template: {
          lt: lt({
            credit_specification: { cpu_credits: 'standard' },
            block_device_mappings: [{ ebs: { volume_size: '30', iops: 4000, throughput: 250 } }],
          }),
        },
        aws_autoscaling_group: { asg: asg({ min_size: 1, max_size: 1 }) },
      }),
    );
    expect(cost(e, 'EBS gp3 IOPS above 3,000')).toBeCloseTo(5, 6); // 1,000 x $0.005
    expect(cost(e, 'EBS gp3 throughput above 125 MB/s')).toBeCloseTo(5, 6); // 125 x $0.04
    expect(line(e, 'EC2 t3.small on-demand').note).toBeUndefined(); // standard credits
  });

  test('Spot above an on-demand base: counts split, Spot at the assumed discount off the on-demand rate', () => {
    const e = estimate(
      stack({
        aws_launch_template: { lt: lt({ instance_type: 't2.micro' }) },
        aws_autoscaling_group: {
          asg: {
            min_size: 1,
            max_size: 3,
            mixed_instances_policy: {
              instances_distribution: { on_demand_base_capacity: 1, on_demand_percentage_above_base_capacity: 0 },
              launch_template: {
                launch_template_specification: { launch_template_id: '${aws_launch_template.lt.id}' },
                override: [{ instance_type: 't3.micro' }],
              },
            },
          },
        },
      }),
    );
    expect(line(e, 'EC2 t3.micro on-demand').count).toEqual({ min: 1, max: 1 });
    expect(line(e, 'EC2 t3.micro Spot').count).toEqual({ min: 0, max: 2 });
    expect(cost(e, 'EC2 t3.micro Spot', 'max')).toBeCloseTo(6.0736, 6); // 2 x 730 h x $0.0104 x 0.4
    expect(line(e, 'EC2 t3.micro Spot').note).toMatch(
      /^EC2 Spot: an assumed 60% below the on-demand rate \(--spot-discount changes it\), not a quote/,
    );
  });

  test('a standalone instance with a public IP and a gp2 root volume', () => {
    const e = estimate(
      stack({
        aws_instance: {
          nat: { instance_type: 't4g.micro', associate_public_ip_address: true, root_block_device: { volume_size: 8, volume_type: 'gp2' } },
        },
      }),
    );
    expect(cost(e, 'EC2 t4g.micro on-demand')).toBeCloseTo(6.132, 6); // 730 h x $0.0084
    expect(cost(e, 'EBS gp2 volume')).toBeCloseTo(0.8, 6); // 8 GB x $0.10
    expect(cost(e, 'public IPv4 address (instance)')).toBeCloseTo(3.65, 6);
  });

  describe('unlimited CPU credits: services held at a CPU target above the baseline bill surplus credits', () => {
    // A t3.small group behind a capacity provider, one service on it tracking ECSServiceAverageCPUUtilization.
    const ecs = (target: number, template: Record<string, unknown> = {}) =>
      stack({
        aws_launch_template: { lt: lt(template) },
        aws_autoscaling_group: { asg: asg() },
        aws_ecs_capacity_provider: { cp: { auto_scaling_group_provider: { auto_scaling_group_arn: '${aws_autoscaling_group.asg.arn}' } } },
        aws_ecs_service: {
          s: {
            cluster: '${aws_ecs_cluster.c.arn}',
            capacity_provider_strategy: [{ capacity_provider: '${aws_ecs_capacity_provider.cp.name}', weight: 1 }],
          },
        },
        aws_appautoscaling_target: {
          t: {
            resource_id: 'service/${aws_ecs_cluster.c.name}/${aws_ecs_service.s.name}',
            scalable_dimension: 'ecs:service:DesiredCount',
            min_capacity: 1,
            max_capacity: 2,
          },
        },
        aws_appautoscaling_policy: {
          cpu: {
            resource_id: '${aws_appautoscaling_target.t.resource_id}',
            target_tracking_scaling_policy_configuration: {
              target_value: target,
              predefined_metric_specification: { predefined_metric_type: 'ECSServiceAverageCPUUtilization' },
            },
          },
        },
      });

    test('60% on a t3.small (baseline 20% per vCPU): 2 vCPU x 0.4 x 730 h x $0.05 = $29.20 per instance-month', () => {
      const e = estimate(ecs(60));
      expect(cost(e, 'EC2 t3.small surplus CPU credits', 'min')).toBeCloseTo(58.4, 6); // 2 instances
      expect(cost(e, 'EC2 t3.small surplus CPU credits', 'max')).toBeCloseTo(146, 6); // 5 instances
      expect(explain(line(e, 'EC2 t3.small surplus CPU credits'))).toBe(
        '2 (max 5) instances × 2 vCPU × 0.4 above baseline × 730 h × $0.05/vCPU-h',
      );
      expect(e.total.min).toBeCloseTo(30.368 + 58.4 + 4.8, 6); // instances, surplus credits, 30 GB gp3 each
    });

    test('at or below the baseline, or in standard mode, no surplus line', () => {
      const atBaseline = estimate(ecs(20));
      expect(atBaseline.lines.some((l) => /surplus/.test(l.item))).toBe(false);
      expect(line(atBaseline, 'EC2 t3.small on-demand').note).toMatch(
        /none billed while the services hold their CPU target of 20% \(baseline 20%\)/,
      );
      expect(estimate(ecs(60, { credit_specification: { cpu_credits: 'standard' } })).lines.some((l) => /surplus/.test(l.item))).toBe(
        false,
      );
    });
  });

  test('prices follow the stack region', () => {
    const e = estimate(
      stack({ aws_launch_template: { lt: lt() }, aws_autoscaling_group: { asg: asg({ min_size: 1, max_size: 1 }) } }, {}, 'eu-west-1'),
    );
    expect(e.location).toBe('Europe (Ireland)');
    expect(cost(e, 'EC2 t3.small on-demand')).toBeCloseTo(16.644, 6); // 730 h x $0.0228
    expect(cost(e, 'EBS gp3 volume')).toBeCloseTo(2.64, 6); // 30 GB x $0.088
  });

  test('an instance type missing from the table is an error naming it', () => {
    const json = stack({ aws_launch_template: { lt: lt({ instance_type: 'x2iedn.32xlarge' }) }, aws_autoscaling_group: { asg: asg() } });
    expect(() => estimate(json)).toThrow(
      'aws_autoscaling_group.asg: instance type x2iedn.32xlarge is not in the price table for US East (N. Virginia) (tools/cost/prices.ts)',
    );
  });

  test('a table type is priced in the US, and a region without its price says so', () => {
    const resources = { aws_launch_template: { lt: lt({ instance_type: 'c6i.xlarge' }) }, aws_autoscaling_group: { asg: asg() } };
    expect(cost(estimate(stack(resources, {}, 'us-east-2')), 'EC2 c6i.xlarge on-demand')).toBeCloseTo(248.2, 6); // 2 x 730 h x $0.17
    expect(() => estimate(stack(resources, {}, 'eu-west-1'))).toThrow(
      'instance type c6i.xlarge is not in the price table for Europe (Ireland) (tools/cost/prices.ts)',
    );
  });
});

describe('a working-hours schedule and a NAT instance', () => {
  const schedule = (recurrence: string, min: number, max: number) => ({
    autoscaling_group_name: '${aws_autoscaling_group.g.name}',
    recurrence,
    min_size: min,
    max_size: max,
    desired_capacity: min,
  });
  const scheduled = (schedules: Record<string, unknown>) =>
    stack({
      aws_launch_template: {
        lt: lt({
          credit_specification: { cpu_credits: 'standard' },
          monitoring: { enabled: true },
          block_device_mappings: [{ ebs: { volume_size: 30, volume_type: 'gp3' } }],
        }),
      },
      aws_autoscaling_group: { g: asg() },
      aws_autoscaling_schedule: schedules,
    });

  test('up 08:00-19:15 on weekdays: instances, volumes and metrics for 56.25 h of the 168-hour week', () => {
    const e = estimate(scheduled({ up: schedule('0 8 * * 1-5', 2, 5), down: schedule('15 19 * * 1-5', 0, 0) }));
    // 56.25 / 168 x 730 = 244.42 h; 244.42 / 730 = 0.3348 of the month
    const ec2 = line(e, 'EC2 t3.small on-demand');
    expect(ec2.factors).toEqual([{ value: 244.42, unit: 'h' }]);
    expect(ec2.note).toBe('scheduled: up 56.25 h a week (2 aws_autoscaling_schedule), at zero the rest');
    expect(cost(e, 'EC2 t3.small on-demand')).toBeCloseTo(2 * 244.42 * 0.0208, 6);
    expect(cost(e, 'EC2 t3.small on-demand', 'max')).toBeCloseTo(5 * 244.42 * 0.0208, 6);
    expect(cost(e, 'EBS gp3 volume')).toBeCloseTo(2 * 30 * 0.3348 * 0.08, 6);
    expect(cost(e, 'EC2 detailed monitoring')).toBeCloseTo(2 * 7 * 0.3348 * 0.3, 6);
  });

  test('the week wraps: a Sunday-night start and a Friday stop are read in order', () => {
    // Up from Sunday 22:00 to Friday 22:00: 120 of 168 hours.
    const e = estimate(scheduled({ down: schedule('0 22 * * FRI', 0, 0), up: schedule('0 22 * * 0', 2, 5) }));
    expect(line(e, 'EC2 t3.small on-demand').factors).toEqual([{ value: round2((120 / 168) * 730), unit: 'h' }]);
  });

  test('a scheduled NAT instance: its hours and volume follow the schedule, its Elastic IP does not', () => {
    const nat = (schedules: Record<string, unknown>) =>
      stack({
        aws_launch_template: {
          nat: { instance_type: 't4g.nano', block_device_mappings: [{ ebs: { volume_size: 8, volume_type: 'gp3' } }] },
        },
        aws_autoscaling_group: { g: { min_size: 1, max_size: 1, launch_template: { id: '${aws_launch_template.nat.id}' } } },
        aws_autoscaling_schedule: schedules,
        aws_network_interface: { eni: { source_dest_check: false } },
        aws_route: { r: { network_interface_id: '${aws_network_interface.eni.id}' } },
        aws_eip: { ip: { domain: 'vpc', network_interface: '${aws_network_interface.eni.id}' } },
      });
    // 06:50-19:25 on weekdays: 62.9167 h of 168 = 273.39 h a month, 0.3745 of it
    const e = estimate(nat({ up: schedule('50 6 * * 1-5', 1, 1), down: schedule('25 19 * * 1-5', 0, 0) }));
    expect(line(e, 'EC2 t4g.nano on-demand').factors).toEqual([{ value: 273.39, unit: 'h' }]);
    expect(cost(e, 'EC2 t4g.nano on-demand')).toBeCloseTo(273.39 * 0.0042, 6);
    expect(cost(e, 'EBS gp3 volume')).toBeCloseTo(8 * (273.39 / 730) * 0.08, 4);
    expect(cost(e, 'public IPv4 address (NAT instance Elastic IP)')).toBeCloseTo(3.65, 6);
  });

  test("a schedule to other sizes than zero and the group's own, or a recurrence that is not weekly, is an error", () => {
    expect(() => estimate(scheduled({ half: schedule('0 8 * * 1-5', 1, 2), down: schedule('0 19 * * 1-5', 0, 0) }))).toThrow(
      "stack test: aws_autoscaling_schedule.half: sets min 1, max 2: only schedules between zero and the group's own sizes (2-5) are priced",
    );
    expect(() => estimate(scheduled({ monthly: schedule('0 8 1 * *', 2, 5) }))).toThrow(
      'stack test: aws_autoscaling_schedule.monthly: recurrence "0 8 1 * *" is not a weekly "M H * * days" cron the price table can read',
    );
  });

  test('a NAT instance: t4g.nano hours, its volume, and the Elastic IP on its interface', () => {
    const e = estimate(
      stack({
        aws_launch_template: {
          nat: { instance_type: 't4g.nano', block_device_mappings: [{ ebs: { volume_size: 8, volume_type: 'gp3' } }] },
        },
        aws_autoscaling_group: { nat: { min_size: 1, max_size: 1, launch_template: { id: '${aws_launch_template.nat.id}' } } },
        aws_network_interface: { eni: { source_dest_check: false } },
        aws_route: { r: { network_interface_id: '${aws_network_interface.eni.id}' } },
        aws_eip: { ip: { domain: 'vpc', network_interface: '${aws_network_interface.eni.id}' } },
      }),
    );
    expect(cost(e, 'EC2 t4g.nano on-demand')).toBeCloseTo(3.066, 6); // 730 h x $0.0042
    expect(cost(e, 'EBS gp3 volume')).toBeCloseTo(0.64, 6); // 8 GB x $0.08
    expect(cost(e, 'public IPv4 address (NAT instance Elastic IP)')).toBeCloseTo(3.65, 6);
    expect(line(e, 'public IPv4 address (NAT instance Elastic IP)').note).toBe(
      'billed every hour, attached or not: it stays on the interface while the NAT instance is stopped or replaced',
    );
    expect(e.free).toContainEqual({
      type: 'aws_network_interface',
      count: 1,
      reason: 'network interfaces are free (a public IPv4 address on one is priced on its aws_eip)',
    });
  });
});

const round2 = (n: number) => Math.round(n * 100) / 100;

describe('logs and monitoring', () => {
  test('an app log group: the assumed ingestion, and storage for its retention', () => {
    const e = estimate(stack({ aws_cloudwatch_log_group: { app: { name: '/ecs/app', retention_in_days: 14 } } }));
    expect(cost(e, 'CloudWatch Logs ingestion: /ecs/app')).toBeCloseTo(0.5, 6); // 1 GB x $0.50
    expect(cost(e, 'CloudWatch Logs storage: /ecs/app')).toBeCloseTo(0.014, 4); // 1 GB x 14/30 months x $0.03
  });

  test('VPC flow logs to CloudWatch: vended ingestion on the flow log, storage on its group; REJECT-only is a quarter', () => {
    const e = estimate(
      stack({
        aws_cloudwatch_log_group: { fl: { name: '/vpc/fl', retention_in_days: 90 } },
        aws_flow_log: { all: { log_destination: '${aws_cloudwatch_log_group.fl.arn}', traffic_type: 'ALL' } },
      }),
    );
    expect(cost(e, 'VPC flow logs to CloudWatch Logs (vended)')).toBeCloseTo(2.5, 6); // 5 GB x $0.50
    expect(cost(e, 'CloudWatch Logs storage: /vpc/fl')).toBeCloseTo(0.45, 6); // 5 GB x 3 months x $0.03
    expect(e.lines.some((l) => l.item.startsWith('CloudWatch Logs ingestion'))).toBe(false);

    const reject = estimate(stack({ aws_flow_log: { r: { log_destination_type: 'cloud-watch-logs', traffic_type: 'REJECT' } } }));
    expect(reject.total.min).toBeCloseTo(0.625, 6); // 5 x 0.25 GB x $0.50
  });

  test('VPC flow logs to S3: vended S3 delivery, and the bucket stores them until expiry', () => {
    const e = estimate(
      stack({
        aws_flow_log: { s3: { log_destination_type: 's3', log_destination: '${aws_s3_bucket.logs.arn}', traffic_type: 'ALL' } },
        aws_s3_bucket: { logs: {} },
        aws_s3_bucket_lifecycle_configuration: {
          lc: { bucket: '${aws_s3_bucket.logs.id}', rule: [{ status: 'Enabled', expiration: [{ days: 30 }] }] },
        },
      }),
    );
    expect(cost(e, 'VPC flow logs to S3 (vended)')).toBeCloseTo(1.25, 6); // 5 GB x $0.25
    expect(cost(e, 'S3 Standard storage (logs)')).toBeCloseTo(0.115, 6); // 5 GB x 1 month x $0.023
  });

  test('a log group without retention counts a year of storage', () => {
    const e = estimate(stack({ aws_cloudwatch_log_group: { app: { name: 'forever' } } }));
    expect(cost(e, 'CloudWatch Logs storage: forever')).toBeCloseTo(0.36, 6); // 1 GB x 12 x $0.03
  });

  test('alarms: standard, high resolution, metric math and anomaly detection', () => {
    const e = estimate(
      stack({
        aws_cloudwatch_metric_alarm: {
          std: { metric_name: 'CPUUtilization', period: 60 },
          std2: { metric_name: 'MemoryUtilization', period: 300 },
          hr: { metric_name: 'CPUUtilization', period: 10 },
          math: {
            metric_query: [
              { id: 'a', metric: { metric_name: 'x', period: 60 } },
              { id: 'b', metric: { metric_name: 'y', period: 60 } },
              { id: 'e', expression: 'a/b' },
            ],
          },
          anomaly: {
            metric_query: [
              { id: 'm', metric: { metric_name: 'x', period: 300 } },
              { id: 'ad', expression: 'ANOMALY_DETECTION_BAND(m, 2)' },
            ],
          },
        },
        aws_cloudwatch_composite_alarm: { c: {} },
      }),
    );
    // standard: std 1 + std2 1 + math 2 + anomaly 1 x 3 = 7 alarm metrics x $0.10
    expect(e.lines.filter((l) => l.item === 'CloudWatch alarm metric (standard)').reduce((s, l) => s + monthly(l, 'min'), 0)).toBeCloseTo(
      0.7,
      6,
    );
    expect(cost(e, 'CloudWatch alarm metric (high resolution)')).toBeCloseTo(0.3, 6);
    expect(cost(e, 'CloudWatch composite alarm')).toBeCloseTo(0.5, 6);
    expect(e.total.min).toBeCloseTo(1.5, 6);
  });

  test('dashboards and log metric filters', () => {
    const e = estimate(stack({ aws_cloudwatch_dashboard: { d: {} }, aws_cloudwatch_log_metric_filter: { f1: {}, f2: {} } }));
    expect(cost(e, 'CloudWatch dashboard')).toBeCloseTo(3, 6);
    expect(cost(e, 'custom metric from a log metric filter')).toBeCloseTo(0.6, 6); // 2 x $0.30
  });

  test('Container Insights: metrics per cluster, service and task family; performance logs per task at min and max', () => {
    const e = estimate(
      stack({
        aws_ecs_cluster: { c: { setting: [{ name: 'containerInsights', value: 'enabled' }] } },
        aws_ecs_service: {
          s: { cluster: '${aws_ecs_cluster.c.arn}', task_definition: '${aws_ecs_task_definition.t.arn}', desired_count: 2 },
        },
        aws_ecs_task_definition: { t: { family: 'app' } },
        aws_appautoscaling_target: {
          target: {
            resource_id: 'service/${aws_ecs_cluster.c.name}/${aws_ecs_service.s.name}',
            scalable_dimension: 'ecs:service:DesiredCount',
            min_capacity: 2,
            max_capacity: 10,
          },
        },
      }),
    );
    expect(cost(e, 'Container Insights metrics')).toBeCloseTo(9.6, 6); // (11 + 13 + 8) metrics x $0.30
    expect(cost(e, 'Container Insights performance logs', 'min')).toBeCloseTo(0.1, 6); // 2 tasks x 0.1 GB x $0.50
    expect(cost(e, 'Container Insights performance logs', 'max')).toBeCloseTo(0.5, 6); // 10 tasks
  });

  test('Container Insights off: the cluster is free; enhanced observability is an error', () => {
    expect(estimate(stack({ aws_ecs_cluster: { c: {} } })).free).toEqual([
      { type: 'aws_ecs_cluster', count: 1, reason: 'ECS clusters are free; Container Insights off' },
    ]);
    expect(() => estimate(stack({ aws_ecs_cluster: { c: { setting: [{ name: 'containerInsights', value: 'enhanced' }] } } }))).toThrow(
      /Container Insights "enhanced"/,
    );
  });
});

describe('registries, buckets, keys, DNS, WAF, messaging, secrets', () => {
  test('ECR: images kept by the lifecycle policy x the assumed size', () => {
    const policy = JSON.stringify({
      rules: [
        { rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 20 }, action: { type: 'expire' } },
      ],
    });
    const e = estimate(
      stack({ aws_ecr_repository: { r: {} }, aws_ecr_lifecycle_policy: { p: { repository: '${aws_ecr_repository.r.name}', policy } } }),
    );
    expect(cost(e, 'ECR storage')).toBeCloseTo(0.3, 6); // 20 x 0.15 GB x $0.10
    const unbounded = estimate(stack({ aws_ecr_repository: { r: {} } }));
    expect(cost(unbounded, 'ECR storage')).toBeCloseTo(0.75, 6); // 50 assumed x 0.15 GB x $0.10
  });

  test('an ALB access log bucket: logs kept until expiry, and a PUT per ALB node every 5 minutes', () => {
    const e = estimate(
      stack({
        aws_lb: { alb: { subnets: ['a', 'b', 'c'], access_logs: { bucket: '${aws_s3_bucket.logs.bucket}', enabled: true } } },
        aws_s3_bucket: { logs: {}, other: {} },
        aws_s3_bucket_lifecycle_configuration: {
          lc: { bucket: '${aws_s3_bucket.logs.id}', rule: [{ status: 'Enabled', expiration: [{ days: 90 }] }] },
        },
      }),
    );
    expect(cost(e, 'S3 Standard storage (logs)')).toBeCloseTo(0.069, 6); // 1 GB/month x 3 months x $0.023
    expect(cost(e, 'S3 PUT requests (ALB access log objects)')).toBeCloseTo(0.1314, 6); // 3 nodes x 8,760 PUTs x $0.005/1000
    expect(cost(e, 'S3 Standard storage')).toBeCloseTo(0.023, 6); // the other bucket: 1 GB assumed
  });

  test('KMS: a key a month plus requests', () => {
    const e = estimate(stack({ aws_kms_key: { k: {} }, aws_kms_alias: { a: {} } }));
    expect(cost(e, 'KMS customer managed key')).toBeCloseTo(1, 6);
    expect(cost(e, 'KMS requests')).toBeCloseTo(0.03, 6); // 10,000 requests x $0.03/10k
  });

  test('Route 53: a hosted zone, free alias queries, non-alias queries, a health check', () => {
    const e = estimate(
      stack({
        aws_route53_zone: { z: { name: 'example.com' } },
        aws_route53_record: { alias: { alias: { name: '${aws_lb.alb.dns_name}' } }, txt: { type: 'TXT' } },
        aws_route53_health_check: { h: {} },
      }),
    );
    expect(cost(e, 'Route 53 hosted zone')).toBeCloseTo(0.5, 6);
    expect(cost(e, 'Route 53 queries (non-alias records)')).toBeCloseTo(0.04, 6); // 0.1 M x $0.40
    expect(cost(e, /health check/)).toBeCloseTo(0.5, 6);
    expect(e.free).toEqual([{ type: 'aws_route53_record', count: 1, reason: 'alias records to AWS resources: queries are free' }]);
  });

  test('WAF: the web ACL, a dollar per rule, and requests', () => {
    const e = estimate(stack({ aws_wafv2_web_acl: { acl: { rule: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } } }));
    expect(cost(e, 'WAF web ACL')).toBeCloseTo(5, 6);
    expect(cost(e, 'WAF rules (rule groups count as one)')).toBeCloseTo(3, 6);
    expect(cost(e, 'WAF requests')).toBeCloseTo(0.6, 6); // 1 M x $0.60
    expect(() =>
      estimate(
        stack({
          aws_wafv2_web_acl: {
            acl: { rule: [{ statement: { managed_rule_group_statement: { name: 'AWSManagedRulesBotControlRuleSet' } } }] },
          },
        }),
      ),
    ).toThrow(/AWSManagedRulesBotControlRuleSet/);
  });

  test('SNS publishes; Secrets Manager secrets created, read, or named by ARN in a task definition', () => {
    const containers = JSON.stringify([
      { name: 'app', secrets: [{ name: 'DB', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password::' }] },
    ]);
    const e = estimate(
      stack(
        {
          aws_sns_topic: { t: {} },
          aws_secretsmanager_secret: { s: {} },
          aws_ecs_task_definition: { td: { family: 'app', container_definitions: containers } },
        },
        { aws_secretsmanager_secret_version: { v: { secret_id: 'other' } } },
      ),
    );
    expect(cost(e, 'SNS publishes')).toBeCloseTo(0.005, 6); // 0.01 M x $0.50
    const secrets = e.lines.filter((l) => l.item.startsWith('Secrets Manager'));
    expect(secrets.map((l) => l.type).sort()).toEqual([
      'aws_ecs_task_definition',
      'aws_ecs_task_definition',
      'aws_secretsmanager_secret',
      'aws_secretsmanager_secret',
      'data.aws_secretsmanager_secret_version',
      'data.aws_secretsmanager_secret_version',
    ]);
    expect(secrets.reduce((s, l) => s + monthly(l, 'min'), 0)).toBeCloseTo(1.35, 6); // 3 x ($0.40 + $0.05)
  });

  test('SSM parameters: advanced ones cost, standard ones are free', () => {
    const e = estimate(stack({ aws_ssm_parameter: { adv: { tier: 'Advanced' }, std: {} } }));
    expect(e.total.min).toBeCloseTo(0.05, 6);
    expect(e.free).toEqual([{ type: 'aws_ssm_parameter', count: 1, reason: 'standard parameters are free' }]);
  });
});

describe('no silent zeros', () => {
  test('a resource or data source type that is neither priced nor free is an error naming every one', () => {
    const json = stack(
      { aws_vpc: { v: {} }, aws_rds_cluster: { db: {} }, aws_msk_cluster: { k: {} } },
      { aws_secretsmanager_random_password: { p: {} } },
    );
    expect(() => estimate(json)).toThrow(CostError);
    expect(() => estimate(json)).toThrow(
      'stack test: no price for aws_msk_cluster, aws_rds_cluster, data.aws_secretsmanager_random_password; add each to FREE_RESOURCES/FREE_DATA_SOURCES in tools/cost/prices.ts or a pricer in tools/cost/estimate.ts',
    );
  });

  test('a region missing from the table names it and the regions available', () => {
    expect(() => estimate(stack({}, {}, 'ap-south-1'))).toThrow(
      'stack test is in ap-south-1, which the price table (2026-12-01) does not cover; available: us-east-1, us-east-2, us-west-2, eu-west-1, eu-central-1 (add it to tools/cost/prices.ts)',
    );
  });

  test('a stack without a literal provider region is an error', () => {
    expect(() => estimateStack('x', { resource: {} })).toThrow('stack x: the aws provider has no literal region to price in');
  });

  test('the assumptions the tests compute with are the committed ones', () => {
    // If these move, the hand-computed figures above must move with them.
    expect([
      ASSUMPTIONS.albLcu,
      ASSUMPTIONS.natGbPerGateway,
      ASSUMPTIONS.appLogGbPerGroup,
      ASSUMPTIONS.flowLogGbAll,
      ASSUMPTIONS.ecrImageGb,
    ]).toEqual([1, 5, 1, 5, 0.15]);
  });
});
