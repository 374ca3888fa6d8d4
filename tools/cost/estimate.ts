/**
 * Prices one synthesized stack (cdk.tf.json) at its minimum and at its maximum size. Pure: JSON in,
 * lines out; no provider classes, no file access (cli.ts reads the files).
 *
 * Every resource and data source type must be priced here or listed free in prices.ts; anything
 * else is an error, never a silent zero.
 */
import { BURSTABLE_TYPES, unlimitedCredits } from '../../src/compute/instance-types';
import { ASSUMPTIONS, Assumptions } from './assumptions';
import { FREE_DATA_SOURCES, FREE_RESOURCES, HOURS_PER_MONTH, PRICES_AS_OF, REGIONS, RegionPrices } from './prices';

/** Bad input or something the price table cannot price: one line for the user, exit code 2. */
export class CostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CostError';
  }
}

export type Size = 'min' | 'max';
export const SIZES: readonly Size[] = ['min', 'max'];

export interface MinMax {
  readonly min: number;
  readonly max: number;
}

/** One factor of a line's quantity: `730 h`, `30 GB`. */
export interface Factor {
  readonly value: number;
  readonly unit: string;
}

/** One billed item: count (at min and max) x factors x unit price. */
export interface Line {
  /** Terraform type the charge comes from (`data.` prefix for data sources). */
  readonly type: string;
  /** What is billed, specific enough to compare across branches: "EC2 t3.small on-demand". */
  readonly item: string;
  readonly count: MinMax;
  /** Singular noun for the count: "instance", "NAT gateway". */
  readonly countUnit: string;
  readonly factors: readonly Factor[];
  readonly unitPrice: number;
  /** What the unit price is per: "h", "GB-month". */
  readonly priceUnit: string;
  /** The assumption or caveat behind the line, if any. */
  readonly note?: string;
}

export interface FreeEntry {
  readonly type: string;
  readonly count: number;
  readonly reason: string;
}

export interface StackEstimate {
  readonly stack: string;
  readonly region: string;
  readonly location: string;
  readonly pricesAsOf: string;
  readonly lines: readonly Line[];
  readonly free: readonly FreeEntry[];
  readonly total: MinMax;
}

/** The synthesized Terraform JSON, as much of it as pricing reads. */
export interface TerraformJson {
  readonly resource?: Record<string, Record<string, any>>;
  readonly data?: Record<string, Record<string, any>>;
  readonly provider?: Record<string, any>;
}

export function monthly(line: Line, size: Size): number {
  return line.factors.reduce((product, f) => product * f.value, line.count[size]) * line.unitPrice;
}

const same = (n: number): MinMax => ({ min: n, max: n });
const hours: Factor = { value: HOURS_PER_MONTH, unit: 'h' };

// ---------------------------------------------------------------------------------------------
// Reading the JSON

interface Ref {
  readonly type: string;
  readonly name: string;
}

const REF = /\$\{(data\.)?([a-z0-9]+_[a-z0-9_]+)\.([A-Za-z0-9_-]+)[.}[]/g;

/** Every `${type.name...}` reference anywhere inside a value. */
export function references(value: unknown): Ref[] {
  const found: Ref[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(REF)) found.push({ type: (m[1] ?? '') + m[2], name: m[3] });
    } else if (Array.isArray(v)) {
      v.forEach(walk);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) if (k !== '//') walk(x);
    }
  };
  walk(value);
  return found;
}

function refersTo(value: unknown, type: string, name: string): boolean {
  return references(value).some((r) => r.type === type && r.name === name);
}

/** A nested block: cdktf writes single blocks as objects and repeated ones as arrays. */
function block(value: unknown): any {
  return Array.isArray(value) ? value[0] : value;
}

function blocks(value: unknown): any[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** A number that may be written as a string ("30"); undefined when absent or a token. */
function num(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

function bool(value: unknown): boolean | undefined {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return undefined;
}

function isToken(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

// ---------------------------------------------------------------------------------------------
// Pricing context

interface Context {
  readonly stack: string;
  readonly json: TerraformJson;
  readonly p: RegionPrices;
  readonly a: Assumptions;
  /** All resources of a type, by name. */
  resources(type: string): [string, any][];
  resource(type: string, name: string): any;
  fail(address: string, message: string): never;
}

type Priced = Line[] | { readonly free: string };
type Pricer = (ctx: Context, name: string, config: any) => Priced;

// ---------------------------------------------------------------------------------------------
// Pricers, keyed by Terraform type

/** EC2 instances of a group or standalone instance: on-demand, Spot, EBS, detailed monitoring. */
function instanceLines(
  ctx: Context,
  type: string,
  address: string,
  lt: any,
  overrides: { instanceType?: string; count: MinMax; spot?: { base: number; percent: number }; uptime?: Uptime; cpuTarget?: number },
  direct: any = {},
): Line[] {
  const uptime = overrides.uptime;
  // Instance hours run only while the group is up; volumes and metrics go with the instances.
  const instanceHours: Factor = uptime ? { value: uptime.hours, unit: 'h' } : hours;
  const upFraction: Factor[] = uptime ? [{ value: round(uptime.hours / HOURS_PER_MONTH, 4), unit: 'month up' }] : [];
  const instanceType = overrides.instanceType ?? direct.instance_type ?? lt?.instance_type;
  if (typeof instanceType !== 'string' || isToken(instanceType)) {
    ctx.fail(address, 'no literal instance_type (launch template, mixed instances override or instance)');
  }
  const hourly = ctx.p.ec2InstanceHour[instanceType];
  if (hourly === undefined) {
    // The table has over a hundred types: name the region rather than list them.
    ctx.fail(address, `instance type ${instanceType} is not in the price table for ${ctx.p.location} (tools/cost/prices.ts)`);
  }
  const lines: Line[] = [];
  const credits = block(direct.credit_specification ?? lt?.credit_specification)?.cpu_credits;
  const unlimited = unlimitedCredits(instanceType, credits);
  const burstable = BURSTABLE_TYPES[instanceType];
  const target = overrides.cpuTarget;
  const surplus = unlimited && target !== undefined && target > burstable.baselinePercent;
  const unlimitedNote = !unlimited
    ? undefined
    : target === undefined
      ? 'unlimited CPU credits: surplus credits above the baseline are extra'
      : surplus
        ? undefined
        : `unlimited CPU credits: none billed while the services hold their CPU target of ${target}% (baseline ${burstable.baselinePercent}%); bursts above it, averaged over 24 h, are extra`;
  const creditNote = [unlimitedNote, uptime?.note].filter(Boolean).join('; ') || undefined;
  const total = overrides.count;
  if (overrides.spot) {
    const { base, percent } = overrides.spot;
    const onDemand = (n: number) => Math.min(n, base) + Math.ceil((Math.max(0, n - base) * percent) / 100);
    const od = { min: onDemand(total.min), max: onDemand(total.max) };
    const spot = { min: total.min - od.min, max: total.max - od.max };
    // An all-Spot group (on-demand 0%, no base) has no on-demand line.
    if (od.max > 0)
      lines.push({
        type,
        item: `EC2 ${instanceType} on-demand`,
        count: od,
        countUnit: 'instance',
        factors: [instanceHours],
        unitPrice: hourly,
        priceUnit: 'h',
        note: creditNote,
      });
    lines.push({
      type,
      item: `EC2 ${instanceType} Spot`,
      count: spot,
      countUnit: 'instance',
      factors: [instanceHours],
      unitPrice: hourly,
      priceUnit: 'h',
      note: 'Spot, priced at the on-demand rate as an upper bound (Spot usually costs 60-90% less; no live Spot prices here)',
    });
  } else {
    lines.push({
      type,
      item: `EC2 ${instanceType} on-demand`,
      count: total,
      countUnit: 'instance',
      factors: [instanceHours],
      unitPrice: hourly,
      priceUnit: 'h',
      note: creditNote,
    });
  }

  // Unlimited mode bills CPU above the baseline, averaged over 24 hours, as surplus credits.
  if (surplus) {
    const family = instanceType.split('.')[0];
    const perVcpuHour = ctx.p.ec2SurplusCreditVcpuHour[family];
    if (perVcpuHour === undefined) ctx.fail(address, `no surplus credit price for ${family} in the price table`);
    lines.push({
      type,
      item: `EC2 ${instanceType} surplus CPU credits`,
      count: total,
      countUnit: 'instance',
      factors: [
        { value: burstable.vcpus, unit: 'vCPU' },
        { value: round((target! - burstable.baselinePercent) / 100, 4), unit: 'above baseline' },
        instanceHours,
      ],
      unitPrice: perVcpuHour,
      priceUnit: 'vCPU-h',
      note: `unlimited CPU credits: the services' CPU target of ${target}% is above the ${burstable.baselinePercent}% baseline per vCPU; priced as if held at the target whenever the instances run`,
    });
  }

  // EBS: the launch template's block device mappings, or an instance's root/ebs block devices.
  const volumes: { size?: number; type?: string; iops?: number; throughput?: number }[] = [];
  for (const m of blocks(lt?.block_device_mappings)) {
    const ebs = block(m.ebs);
    if (ebs) volumes.push({ size: num(ebs.volume_size), type: ebs.volume_type, iops: num(ebs.iops), throughput: num(ebs.throughput) });
  }
  for (const d of [...blocks(direct.root_block_device), ...blocks(direct.ebs_block_device)]) {
    volumes.push({ size: num(d.volume_size), type: d.volume_type, iops: num(d.iops), throughput: num(d.throughput) });
  }
  const defaulted = volumes.length === 0;
  if (defaulted) volumes.push({});
  for (const v of volumes) {
    const volumeType = v.type ?? 'gp3';
    const perGb = ctx.p.ebs.gbMonth[volumeType];
    if (perGb === undefined)
      ctx.fail(address, `EBS volume type ${volumeType} is not in the price table (have ${Object.keys(ctx.p.ebs.gbMonth).join(', ')})`);
    const size = v.size ?? ctx.a.defaultRootVolumeGb;
    const notes = [
      defaulted ? `no block device mapping: the ECS-optimized AMI's ${ctx.a.defaultRootVolumeGb} GiB root` : undefined,
      !defaulted && v.size === undefined ? `size unset: the AMI default, ${ctx.a.defaultRootVolumeGb} GiB` : undefined,
      v.type === undefined && !defaulted ? 'volume_type unset: priced as gp3, the ECS AL2023 AMI root volume type' : undefined,
    ].filter(Boolean);
    lines.push({
      type,
      item: `EBS ${volumeType} volume`,
      count: total,
      countUnit: 'instance',
      factors: [{ value: size, unit: 'GB' }, ...upFraction],
      unitPrice: perGb,
      priceUnit: 'GB-month',
      note: notes.length ? notes.join('; ') : undefined,
    });
    if (volumeType === 'gp3' && v.iops !== undefined && v.iops > 3000) {
      lines.push({
        type,
        item: 'EBS gp3 IOPS above 3,000',
        count: total,
        countUnit: 'instance',
        factors: [{ value: v.iops - 3000, unit: 'IOPS' }, ...upFraction],
        unitPrice: ctx.p.ebs.gp3IopsMonth,
        priceUnit: 'IOPS-month',
      });
    }
    if (volumeType === 'gp3' && v.throughput !== undefined && v.throughput > 125) {
      lines.push({
        type,
        item: 'EBS gp3 throughput above 125 MB/s',
        count: total,
        countUnit: 'instance',
        factors: [{ value: v.throughput - 125, unit: 'MB/s' }, ...upFraction],
        unitPrice: ctx.p.ebs.gp3ThroughputMonth,
        priceUnit: 'MB/s-month',
      });
    }
  }

  const monitoring = bool(block(direct.monitoring ?? lt?.monitoring)?.enabled ?? direct.monitoring);
  if (monitoring === true) {
    lines.push({
      type,
      item: 'EC2 detailed monitoring',
      count: total,
      countUnit: 'instance',
      factors: [{ value: ctx.a.detailedMonitoringMetricsPerInstance, unit: 'metrics' }, ...upFraction],
      unitPrice: ctx.p.cloudwatch.metricMonth,
      priceUnit: 'metric-month',
    });
  }
  return lines;
}

function launchTemplateOf(ctx: Context, spec: any): any {
  if (!spec) return undefined;
  const ref = references([spec.id, spec.launch_template_id, spec.name, spec.launch_template_name]).find(
    (r) => r.type === 'aws_launch_template',
  );
  return ref ? ctx.resource('aws_launch_template', ref.name) : undefined;
}

/** Hours a month a scheduled group runs at its own sizes (it is at zero the rest of the time). */
interface Uptime {
  readonly hours: number;
  readonly note: string;
}

const MINUTES_PER_WEEK = 7 * 24 * 60;
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** Days of a Unix cron day-of-week field (0 or 7 = Sunday, names allowed); undefined when unreadable. */
function cronDays(field: string): number[] | undefined {
  if (field === '*') return [0, 1, 2, 3, 4, 5, 6];
  const day = (t: string) =>
    DAY_NAMES.includes(t.toUpperCase()) ? DAY_NAMES.indexOf(t.toUpperCase()) : /^[0-7]$/.test(t) ? Number(t) % 7 : NaN;
  const days: number[] = [];
  for (const part of field.split(',')) {
    const [from, to = from] = part.split('-').map(day);
    if (Number.isNaN(from) || Number.isNaN(to) || to < from) return undefined;
    for (let d = from; d <= to; d++) days.push(d);
  }
  return days;
}

/**
 * The group's scheduled actions (aws_autoscaling_schedule), read as a weekly cycle. Priced when
 * they only switch the group between zero and its own min/max sizes (a working-hours schedule);
 * anything else is an error, never a guess. Time zones and daylight saving are ignored: only the
 * share of the week counts.
 */
function scheduledUptime(ctx: Context, name: string, own: MinMax): Uptime | undefined {
  const schedules = ctx
    .resources('aws_autoscaling_schedule')
    .filter(([, s]) => refersTo(s.autoscaling_group_name, 'aws_autoscaling_group', name));
  if (schedules.length === 0) return undefined;
  const events = schedules.flatMap(([scheduleName, s]) => {
    const fields = typeof s.recurrence === 'string' ? s.recurrence.trim().split(/\s+/) : [];
    const [minute, hour, dom, month, dow] = fields;
    const days =
      fields.length === 5 && dom === '*' && month === '*' && /^\d+$/.test(minute) && /^\d+$/.test(hour) ? cronDays(dow) : undefined;
    if (!days)
      return ctx.fail(
        `aws_autoscaling_schedule.${scheduleName}`,
        `recurrence ${JSON.stringify(s.recurrence)} is not a weekly "M H * * days" cron the price table can read`,
      );
    const sizes = { min: num(s.min_size), max: num(s.max_size) };
    const up = sizes.min === own.min && sizes.max === own.max;
    // A stop may lower only the minimum (max -1: unchanged), leaving the scale-in to ECS managed scaling
    // once the services are at zero (working-hours-schedule.ts); priced as down, like 0/0.
    const down = sizes.min === 0 && (sizes.max === 0 || sizes.max === -1);
    if (!up && !down) {
      return ctx.fail(
        `aws_autoscaling_schedule.${scheduleName}`,
        `sets min ${sizes.min}, max ${sizes.max}: only schedules between zero and the group's own sizes (${own.min}-${own.max}) are priced`,
      );
    }
    return days.map((d) => ({ at: d * 1440 + Number(hour) * 60 + Number(minute), up }));
  });
  events.sort((a, b) => a.at - b.at);
  // Between two actions the group stays as the earlier one left it; the week wraps around.
  let upMinutes = 0;
  events.forEach((e, i) => {
    const next = i + 1 < events.length ? events[i + 1].at : events[0].at + MINUTES_PER_WEEK;
    if (e.up) upMinutes += next - e.at;
  });
  const hoursPerWeek = upMinutes / 60;
  return {
    hours: round((upMinutes / MINUTES_PER_WEEK) * HOURS_PER_MONTH, 2),
    note: `scheduled: up ${round(hoursPerWeek, 2)} h a week (${schedules.length} aws_autoscaling_schedule), at zero the rest`,
  };
}

/**
 * The highest ECSServiceAverageCPUUtilization target of the services placed on the group (through
 * its capacity provider: the service's strategy, or the cluster's default); undefined when none.
 */
function serviceCpuTarget(ctx: Context, group: string): number | undefined {
  const providers = ctx
    .resources('aws_ecs_capacity_provider')
    .filter(([, cp]) => refersTo(block(cp.auto_scaling_group_provider)?.auto_scaling_group_arn, 'aws_autoscaling_group', group))
    .map(([name]) => name);
  const onProvider = (strategy: unknown) =>
    providers.some((p) => blocks(strategy).some((st) => refersTo(st.capacity_provider, 'aws_ecs_capacity_provider', p)));
  const defaultClusters = ctx
    .resources('aws_ecs_cluster_capacity_providers')
    .filter(([, ccp]) => onProvider(ccp.default_capacity_provider_strategy));
  const services = ctx
    .resources('aws_ecs_service')
    .filter(([, svc]) =>
      blocks(svc.capacity_provider_strategy).length > 0
        ? onProvider(svc.capacity_provider_strategy)
        : defaultClusters.some(([, ccp]) =>
            references(svc.cluster).some((r) => references(ccp.cluster_name).some((q) => q.type === r.type && q.name === r.name)),
          ),
    )
    .map(([name]) => name);
  // A policy names the service in its resource_id, or through its scalable target's.
  const resourceIds = (p: any) => [
    p.resource_id,
    ...references(p.resource_id)
      .filter((r) => r.type === 'aws_appautoscaling_target')
      .map((r) => ctx.resource(r.type, r.name)?.resource_id),
  ];
  const targets = ctx
    .resources('aws_appautoscaling_policy')
    .filter(([, p]) => services.some((svc) => refersTo(resourceIds(p), 'aws_ecs_service', svc)))
    .map(([, p]) => block(p.target_tracking_scaling_policy_configuration))
    .filter((t) => block(t?.predefined_metric_specification)?.predefined_metric_type === 'ECSServiceAverageCPUUtilization')
    .map((t) => num(t.target_value))
    .filter((t): t is number => t !== undefined);
  return targets.length > 0 ? Math.max(...targets) : undefined;
}

const autoscalingGroup: Pricer = (ctx, name, c) => {
  const address = `aws_autoscaling_group.${name}`;
  const min = num(c.min_size);
  const max = num(c.max_size);
  if (min === undefined || max === undefined) return ctx.fail(address, 'min_size and max_size must be literal numbers');
  const mixed = block(c.mixed_instances_policy);
  const mixedTemplate = block(mixed?.launch_template);
  const lt = launchTemplateOf(ctx, block(c.launch_template)) ?? launchTemplateOf(ctx, block(mixedTemplate?.launch_template_specification));
  if (!lt) return ctx.fail(address, 'no launch template in this stack to price its instances from');
  const types = blocks(mixedTemplate?.override)
    .map((o) => o.instance_type)
    .filter((t) => typeof t === 'string');
  const distribution = block(mixed?.instances_distribution);
  const spot = mixed
    ? { base: num(distribution?.on_demand_base_capacity) ?? 0, percent: num(distribution?.on_demand_percentage_above_base_capacity) ?? 100 }
    : undefined;
  const uptime = scheduledUptime(ctx, name, { min, max });
  const cpuTarget = serviceCpuTarget(ctx, name);
  const lines = instanceLines(ctx, 'aws_autoscaling_group', address, lt, {
    instanceType: types[0],
    count: { min, max },
    spot: spot?.percent === 100 ? undefined : spot,
    uptime,
    cpuTarget,
  });
  if (new Set(types).size > 1) {
    return lines.map((l, i) =>
      i === 0
        ? {
            ...l,
            note: [l.note, `priced as the first override; the group may also launch ${[...new Set(types)].slice(1).join(', ')}`].join('; '),
          }
        : l,
    );
  }
  return lines;
};

const instance: Pricer = (ctx, name, c) => {
  const address = `aws_instance.${name}`;
  const lt = launchTemplateOf(ctx, block(c.launch_template));
  const n = num(c.count) ?? 1;
  const lines = instanceLines(ctx, 'aws_instance', address, lt, { count: same(n) }, c);
  if (bool(c.associate_public_ip_address) === true) {
    lines.push({
      type: 'aws_instance',
      item: 'public IPv4 address (instance)',
      count: same(n),
      countUnit: 'address',
      factors: [hours],
      unitPrice: ctx.p.vpc.publicIpv4Hour,
      priceUnit: 'h',
    });
  }
  return lines;
};

const natGateway: Pricer = (ctx, _name, c) => {
  const privateNat = c.connectivity_type === 'private';
  const lines: Line[] = [
    {
      type: 'aws_nat_gateway',
      item: privateNat ? 'private NAT gateway' : 'NAT gateway',
      count: same(1),
      countUnit: 'NAT gateway',
      factors: [hours],
      unitPrice: ctx.p.vpc.natGatewayHour,
      priceUnit: 'h',
    },
    {
      type: 'aws_nat_gateway',
      item: 'NAT gateway data processed',
      count: same(1),
      countUnit: 'NAT gateway',
      factors: [{ value: ctx.a.natGbPerGateway, unit: 'GB' }],
      unitPrice: ctx.p.vpc.natGatewayGb,
      priceUnit: 'GB',
      note: `assumed ${ctx.a.natGbPerGateway} GB/month per NAT gateway (agents, logs, ECR API; image layers take the S3 endpoint)`,
    },
  ];
  return lines;
};

const eip: Pricer = (ctx, name, c) => {
  const forNat = ctx
    .resources('aws_nat_gateway')
    .some(([, nat]) => refersTo([nat.allocation_id, nat.secondary_allocation_ids], 'aws_eip', name));
  // A NAT instance's address: on a source/destination-check-free interface that a route targets.
  const eni = references(c.network_interface).find((r) => r.type === 'aws_network_interface');
  const forNatInstance =
    eni !== undefined &&
    bool(ctx.resource('aws_network_interface', eni.name)?.source_dest_check) === false &&
    ctx.resources('aws_route').some(([, r]) => refersTo(r.network_interface_id, 'aws_network_interface', eni.name));
  const what = forNat ? 'NAT gateway Elastic IP' : forNatInstance ? 'NAT instance Elastic IP' : 'Elastic IP';
  return [
    {
      type: 'aws_eip',
      item: `public IPv4 address (${what})`,
      count: same(1),
      countUnit: 'address',
      factors: [hours],
      unitPrice: ctx.p.vpc.publicIpv4Hour,
      priceUnit: 'h',
      // AWS bills a public IPv4 address every hour, in use or idle; the interface keeps it while no instance runs.
      note: forNatInstance
        ? 'billed every hour, attached or not: it stays on the interface while the NAT instance is stopped or replaced'
        : undefined,
    },
  ];
};

const loadBalancer: Pricer = (ctx, name, c) => {
  const address = `aws_lb.${name}`;
  const kind = c.load_balancer_type ?? 'application';
  const mappings = blocks(c.subnet_mapping);
  let nodes = Array.isArray(c.subnets) ? c.subnets.length : mappings.length;
  let note: string | undefined;
  if (nodes === 0) {
    nodes = 2;
    note = 'subnets not literal: assumed 2 AZs';
  }
  const lines: Line[] = [];
  if (kind === 'application') {
    lines.push({
      type: 'aws_lb',
      item: 'Application Load Balancer',
      count: same(1),
      countUnit: 'load balancer',
      factors: [hours],
      unitPrice: ctx.p.elb.albHour,
      priceUnit: 'h',
    });
    lines.push({
      type: 'aws_lb',
      item: 'ALB capacity units',
      count: same(1),
      countUnit: 'load balancer',
      factors: [{ value: ctx.a.albLcu, unit: 'LCU' }, hours],
      unitPrice: ctx.p.elb.albLcuHour,
      priceUnit: 'LCU-h',
      note: `assumed ${ctx.a.albLcu} LCU on average (25 new connections/s, 3,000 active, 1 GB/h or 1,000 rule evaluations/s each); more traffic costs more`,
    });
  } else if (kind === 'network') {
    lines.push({
      type: 'aws_lb',
      item: 'Network Load Balancer',
      count: same(1),
      countUnit: 'load balancer',
      factors: [hours],
      unitPrice: ctx.p.elb.nlbHour,
      priceUnit: 'h',
    });
    lines.push({
      type: 'aws_lb',
      item: 'NLB capacity units',
      count: same(1),
      countUnit: 'load balancer',
      factors: [{ value: ctx.a.nlbLcu, unit: 'NLCU' }, hours],
      unitPrice: ctx.p.elb.nlbLcuHour,
      priceUnit: 'NLCU-h',
      note: `assumed ${ctx.a.nlbLcu} NLCU on average`,
    });
  } else {
    ctx.fail(address, `load_balancer_type ${kind} is not in the price table (have application, network)`);
  }
  if (bool(c.internal) !== true) {
    // Nodes with an Elastic IP of their own (NLB subnet_mapping allocation_id) are priced on the aws_eip.
    const ownIps = mappings.filter((m) => m.allocation_id !== undefined).length;
    lines.push({
      type: 'aws_lb',
      item: `public IPv4 address (${kind === 'application' ? 'ALB' : 'NLB'} node, one per subnet)`,
      count: same(nodes - ownIps),
      countUnit: 'address',
      factors: [hours],
      unitPrice: ctx.p.vpc.publicIpv4Hour,
      priceUnit: 'h',
      note,
    });
  }
  return lines;
};

const vpcEndpoint: Pricer = (ctx, name, c) => {
  const kind = c.vpc_endpoint_type ?? 'Gateway';
  if (kind === 'Gateway') return { free: 'gateway endpoints (S3, DynamoDB) are free' };
  if (kind !== 'Interface')
    ctx.fail(`aws_vpc_endpoint.${name}`, `vpc_endpoint_type ${kind} is not in the price table (have Gateway, Interface)`);
  const azs = Array.isArray(c.subnet_ids) ? c.subnet_ids.length : 2;
  const service = typeof c.service_name === 'string' ? c.service_name.split('.').pop() : 'interface';
  return [
    {
      type: 'aws_vpc_endpoint',
      item: `interface endpoint ${service}`,
      count: same(azs),
      countUnit: 'AZ',
      factors: [hours],
      unitPrice: ctx.p.vpc.interfaceEndpointHour,
      priceUnit: 'h',
      note: Array.isArray(c.subnet_ids) ? undefined : 'subnet_ids not literal: assumed 2 AZs',
    },
    {
      type: 'aws_vpc_endpoint',
      item: `interface endpoint ${service} data processed`,
      count: same(1),
      countUnit: 'endpoint',
      factors: [{ value: ctx.a.interfaceEndpointGb, unit: 'GB' }],
      unitPrice: ctx.p.vpc.interfaceEndpointGb,
      priceUnit: 'GB',
      note: `assumed ${ctx.a.interfaceEndpointGb} GB/month`,
    },
  ];
};

/** GB per month a flow log delivers, from its traffic type. */
function flowLogGb(ctx: Context, c: any): number {
  return (c.traffic_type ?? 'ALL') === 'ALL' ? ctx.a.flowLogGbAll : ctx.a.flowLogGbAll * ctx.a.flowLogFilteredFraction;
}

function flowLogNote(ctx: Context, c: any): string {
  const traffic = c.traffic_type ?? 'ALL';
  return traffic === 'ALL'
    ? `assumed ${ctx.a.flowLogGbAll} GB/month for ALL traffic of a small VPC`
    : `assumed ${ctx.a.flowLogFilteredFraction} x the ${ctx.a.flowLogGbAll} GB/month of ALL traffic for ${traffic} only`;
}

const flowLog: Pricer = (ctx, name, c) => {
  const destination = c.log_destination_type ?? 'cloud-watch-logs';
  const gb = flowLogGb(ctx, c);
  if (destination === 'cloud-watch-logs') {
    return [
      {
        type: 'aws_flow_log',
        item: 'VPC flow logs to CloudWatch Logs (vended)',
        count: same(1),
        countUnit: 'flow log',
        factors: [{ value: gb, unit: 'GB' }],
        unitPrice: ctx.p.cloudwatch.vendedLogsToCloudWatchGb,
        priceUnit: 'GB',
        note: flowLogNote(ctx, c),
      },
    ];
  }
  if (destination === 's3') {
    return [
      {
        type: 'aws_flow_log',
        item: 'VPC flow logs to S3 (vended)',
        count: same(1),
        countUnit: 'flow log',
        factors: [{ value: gb, unit: 'GB' }],
        unitPrice: ctx.p.cloudwatch.vendedLogsToS3Gb,
        priceUnit: 'GB',
        note: flowLogNote(ctx, c),
      },
    ];
  }
  return ctx.fail(`aws_flow_log.${name}`, `log_destination_type ${destination} is not in the price table (have cloud-watch-logs, s3)`);
};

/** Months a log group keeps what it ingests. */
function retentionMonths(ctx: Context, days: number | undefined): { months: number; note?: string } {
  if (days === undefined || days === 0)
    return { months: ctx.a.logMonthsWithoutRetention, note: `no retention: ${ctx.a.logMonthsWithoutRetention} months of it counted` };
  return { months: days / 30 };
}

const logGroup: Pricer = (ctx, name, c) => {
  const address = `aws_cloudwatch_log_group.${name}`;
  if (c.log_group_class !== undefined && c.log_group_class !== 'STANDARD') {
    ctx.fail(address, `log_group_class ${c.log_group_class} is not in the price table (have STANDARD)`);
  }
  const flowLogs = ctx
    .resources('aws_flow_log')
    .filter(([, f]) => refersTo([f.log_destination, f.log_group_name], 'aws_cloudwatch_log_group', name));
  const { months, note } = retentionMonths(ctx, num(c.retention_in_days));
  const label = typeof c.name === 'string' && !isToken(c.name) ? c.name : name;
  const lines: Line[] = [];
  let gb: number;
  let what: string;
  if (flowLogs.length > 0) {
    gb = flowLogs.reduce((sum, [, f]) => sum + flowLogGb(ctx, f), 0);
    what = 'flow logs, ingestion priced on aws_flow_log';
  } else {
    gb = ctx.a.appLogGbPerGroup;
    what = `assumed ${gb} GB/month ingested`;
    lines.push({
      type: 'aws_cloudwatch_log_group',
      item: `CloudWatch Logs ingestion: ${label}`,
      count: same(1),
      countUnit: 'log group',
      factors: [{ value: gb, unit: 'GB' }],
      unitPrice: ctx.p.cloudwatch.logsIngestGb,
      priceUnit: 'GB',
      note: what,
    });
  }
  const stored = gb * months;
  lines.push({
    type: 'aws_cloudwatch_log_group',
    item: `CloudWatch Logs storage: ${label}`,
    count: same(1),
    countUnit: 'log group',
    factors: [{ value: round(stored, 4), unit: 'GB' }],
    unitPrice: ctx.p.cloudwatch.logsStorageGbMonth,
    priceUnit: 'GB-month',
    note: `${gb} GB/month (${what}) kept ${note ?? `${num(c.retention_in_days)} days`}, uncompressed: an upper bound`,
  });
  return lines;
};

/** Tasks a service runs at min and max: its Application Auto Scaling target, else desired_count. */
function serviceTasks(ctx: Context, serviceName: string, service: any): MinMax {
  for (const [, target] of ctx.resources('aws_appautoscaling_target')) {
    if (target.scalable_dimension === 'ecs:service:DesiredCount' && refersTo(target.resource_id, 'aws_ecs_service', serviceName)) {
      const min = num(target.min_capacity);
      const max = num(target.max_capacity);
      if (min !== undefined && max !== undefined) return { min, max };
    }
  }
  return same(num(service.desired_count) ?? 0);
}

const ecsCluster: Pricer = (ctx, name, c) => {
  const address = `aws_ecs_cluster.${name}`;
  const setting = blocks(c.setting).find((s) => s.name === 'containerInsights');
  const mode = setting?.value ?? 'disabled';
  if (mode === 'disabled') return { free: 'ECS clusters are free; Container Insights off' };
  if (mode !== 'enabled') {
    ctx.fail(
      address,
      `Container Insights "${mode}" is billed per observation, which the price table does not model (have enabled, disabled)`,
    );
  }
  const services = ctx.resources('aws_ecs_service').filter(([, s]) => refersTo(s.cluster, 'aws_ecs_cluster', name));
  const families = new Set<string>();
  for (const [, s] of services) {
    for (const r of references(s.task_definition).filter((x) => x.type === 'aws_ecs_task_definition')) {
      families.add(ctx.resource('aws_ecs_task_definition', r.name)?.family ?? r.name);
    }
    if (typeof s.task_definition === 'string' && !isToken(s.task_definition)) families.add(s.task_definition.split(':')[0]);
  }
  const m = ctx.a.containerInsightsMetrics;
  const metrics = m.cluster + m.service * services.length + m.taskFamily * families.size;
  const tasks = services.reduce((sum, [n, s]) => {
    const t = serviceTasks(ctx, n, s);
    return { min: sum.min + t.min, max: sum.max + t.max };
  }, same(0));
  return [
    {
      type: 'aws_ecs_cluster',
      item: 'Container Insights metrics',
      count: same(metrics),
      countUnit: 'metric',
      factors: [],
      unitPrice: ctx.p.cloudwatch.metricMonth,
      priceUnit: 'metric-month',
      note: `${m.cluster} per cluster + ${m.service} x ${services.length} service(s) + ${m.taskFamily} x ${families.size} task family(ies)`,
    },
    {
      type: 'aws_ecs_cluster',
      item: 'Container Insights performance logs',
      count: tasks,
      countUnit: 'task',
      factors: [{ value: ctx.a.containerInsightsLogGbPerTask, unit: 'GB' }],
      unitPrice: ctx.p.cloudwatch.logsIngestGb,
      priceUnit: 'GB',
      note: `assumed ${ctx.a.containerInsightsLogGbPerTask} GB/month per running task (service min..max tasks); the log group keeps 1 day`,
    },
  ];
};

/** Images a lifecycle policy keeps: the sum of its imageCountMoreThan rules. */
function imagesKept(ctx: Context, repoName: string): { images: number; note?: string } {
  const policies = ctx.resources('aws_ecr_lifecycle_policy').filter(([, p]) => refersTo(p.repository, 'aws_ecr_repository', repoName));
  let kept = 0;
  for (const [, p] of policies) {
    if (typeof p.policy !== 'string' || isToken(p.policy)) continue;
    try {
      for (const rule of JSON.parse(p.policy).rules ?? []) {
        if (rule.selection?.countType === 'imageCountMoreThan') kept += Number(rule.selection.countNumber) || 0;
      }
    } catch {
      // not literal JSON: fall through to the assumption
    }
  }
  if (kept > 0) return { images: kept };
  return {
    images: ctx.a.ecrImagesWithoutLifecycle,
    note: `no image-count lifecycle rule: assumed ${ctx.a.ecrImagesWithoutLifecycle} images`,
  };
}

const ecrRepository: Pricer = (ctx, name, c) => {
  const { images, note } = imagesKept(ctx, name);
  const encryption = block(c.encryption_configuration);
  const kms =
    encryption?.encryption_type === 'KMS' && encryption.kms_key === undefined
      ? 'KMS with the AWS managed key aws/ecr: no key fee'
      : undefined;
  return [
    {
      type: 'aws_ecr_repository',
      item: 'ECR storage',
      count: same(images),
      countUnit: 'image',
      factors: [{ value: ctx.a.ecrImageGb, unit: 'GB' }],
      unitPrice: ctx.p.ecr.storageGbMonth,
      priceUnit: 'GB-month',
      note: [
        note ?? `${images} images kept by the lifecycle policy`,
        `assumed ${ctx.a.ecrImageGb} GB each, shared layers not deducted`,
        kms,
      ]
        .filter(Boolean)
        .join('; '),
    },
  ];
};

const s3Bucket: Pricer = (ctx, name) => {
  const albs = ctx
    .resources('aws_lb')
    .filter(([, lb]) => refersTo(block(lb.access_logs)?.bucket, 'aws_s3_bucket', name) && bool(block(lb.access_logs)?.enabled) !== false);
  const flowLogs = ctx
    .resources('aws_flow_log')
    .filter(([, f]) => f.log_destination_type === 's3' && refersTo(f.log_destination, 'aws_s3_bucket', name));
  const inflow = albs.length * ctx.a.albAccessLogGbPerMonth + flowLogs.reduce((sum, [, f]) => sum + flowLogGb(ctx, f), 0);
  if (inflow === 0) {
    return [
      {
        type: 'aws_s3_bucket',
        item: 'S3 Standard storage',
        count: same(1),
        countUnit: 'bucket',
        factors: [{ value: ctx.a.bucketGb, unit: 'GB' }],
        unitPrice: ctx.p.s3.standardGbMonth,
        priceUnit: 'GB-month',
        note: `assumed ${ctx.a.bucketGb} GB stored`,
      },
    ];
  }
  const expiry = ctx
    .resources('aws_s3_bucket_lifecycle_configuration')
    .filter(([, l]) => refersTo(l.bucket, 'aws_s3_bucket', name))
    .flatMap(([, l]) => blocks(l.rule))
    .filter((r) => r.status === 'Enabled')
    .map((r) => num(block(r.expiration)?.days))
    .filter((d): d is number => d !== undefined);
  const months = expiry.length > 0 ? Math.min(...expiry) / 30 : ctx.a.bucketMonthsWithoutExpiry;
  const kept =
    expiry.length > 0 ? `${Math.min(...expiry)} days (lifecycle expiry)` : `${ctx.a.bucketMonthsWithoutExpiry} months (no expiry)`;
  const what = [
    albs.length ? `ALB access logs, assumed ${ctx.a.albAccessLogGbPerMonth} GB/month per load balancer` : '',
    flowLogs.length ? 'flow logs' : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const lines: Line[] = [
    {
      type: 'aws_s3_bucket',
      item: 'S3 Standard storage (logs)',
      count: same(1),
      countUnit: 'bucket',
      factors: [{ value: round(inflow * months, 4), unit: 'GB' }],
      unitPrice: ctx.p.s3.standardGbMonth,
      priceUnit: 'GB-month',
      note: `${inflow} GB/month (${what}) kept ${kept}`,
    },
  ];
  const nodes = albs.reduce(
    (sum, [, lb]) => sum + (Array.isArray(lb.subnets) ? lb.subnets.length : blocks(lb.subnet_mapping).length || 2),
    0,
  );
  if (nodes > 0) {
    lines.push({
      type: 'aws_s3_bucket',
      item: 'S3 PUT requests (ALB access log objects)',
      count: same(nodes),
      countUnit: 'ALB node',
      factors: [{ value: ctx.a.albAccessLogPutsPerNodePerMonth / 1000, unit: 'k PUT' }],
      unitPrice: ctx.p.s3.putPer1000,
      priceUnit: 'k PUT',
      note: 'one log object per ALB node every 5 minutes',
    });
  }
  return lines;
};

const kmsKey =
  (type: string): Pricer =>
  (ctx) => [
    {
      type,
      item: 'KMS customer managed key',
      count: same(1),
      countUnit: 'key',
      factors: [],
      unitPrice: ctx.p.kms.keyMonth,
      priceUnit: 'key-month',
    },
    {
      type,
      item: 'KMS requests',
      count: same(1),
      countUnit: 'key',
      factors: [{ value: ctx.a.kmsRequests10kPerKey, unit: '10k requests' }],
      unitPrice: ctx.p.kms.requestsPer10k,
      priceUnit: '10k requests',
      note: `assumed ${ctx.a.kmsRequests10kPerKey * 10000} requests/month per key`,
    },
  ];

const metricAlarm: Pricer = (ctx, _name, c) => {
  const queries = blocks(c.metric_query);
  const metrics = queries.length > 0 ? queries.filter((q) => block(q.metric) !== undefined).length || 1 : 1;
  const anomaly = queries.some((q) => typeof q.expression === 'string' && q.expression.includes('ANOMALY_DETECTION_BAND'));
  const periods = [num(c.period), ...queries.map((q) => num(block(q.metric)?.period))].filter((p): p is number => p !== undefined);
  const highRes = periods.some((p) => p < 60);
  const count = anomaly ? metrics * 3 : metrics;
  return [
    {
      type: 'aws_cloudwatch_metric_alarm',
      item: highRes ? 'CloudWatch alarm metric (high resolution)' : 'CloudWatch alarm metric (standard)',
      count: same(count),
      countUnit: 'alarm metric',
      factors: [],
      unitPrice: highRes ? ctx.p.cloudwatch.alarmHighResolutionMonth : ctx.p.cloudwatch.alarmStandardMonth,
      priceUnit: 'alarm metric-month',
      note: anomaly ? 'anomaly detection: 3 metrics per metric' : undefined,
    },
  ];
};

const wafWebAcl: Pricer = (ctx, name, c) => {
  const rules = blocks(c.rule);
  const premium = JSON.stringify(rules).match(/AWSManagedRules(BotControl|ATP|ACFP)RuleSet/);
  if (premium) ctx.fail(`aws_wafv2_web_acl.${name}`, `${premium[0]} has a subscription and request fees the price table does not model`);
  return [
    {
      type: 'aws_wafv2_web_acl',
      item: 'WAF web ACL',
      count: same(1),
      countUnit: 'web ACL',
      factors: [],
      unitPrice: ctx.p.waf.webAclMonth,
      priceUnit: 'web ACL-month',
    },
    {
      type: 'aws_wafv2_web_acl',
      item: 'WAF rules (rule groups count as one)',
      count: same(rules.length),
      countUnit: 'rule',
      factors: [],
      unitPrice: ctx.p.waf.ruleMonth,
      priceUnit: 'rule-month',
    },
    {
      type: 'aws_wafv2_web_acl',
      item: 'WAF requests',
      count: same(1),
      countUnit: 'web ACL',
      factors: [{ value: ctx.a.wafRequestsMillion, unit: 'M requests' }],
      unitPrice: ctx.p.waf.requestsPerMillion,
      priceUnit: 'M requests',
      note: `assumed ${ctx.a.wafRequestsMillion} million requests/month`,
    },
  ];
};

const route53Record: Pricer = (ctx, _name, c) => {
  if (block(c.alias) !== undefined) return { free: 'alias records to AWS resources: queries are free' };
  const records = num(c.count) ?? 1;
  return [
    {
      type: 'aws_route53_record',
      item: 'Route 53 queries (non-alias records)',
      count: same(records),
      countUnit: 'record',
      factors: [{ value: ctx.a.route53QueriesMillionPerRecord, unit: 'M queries' }],
      unitPrice: ctx.p.route53.queriesPerMillion,
      priceUnit: 'M queries',
      note: `assumed ${ctx.a.route53QueriesMillionPerRecord} million queries/month per record`,
    },
  ];
};

const secret =
  (type: string, note?: string): Pricer =>
  (ctx) => [
    {
      type,
      item: 'Secrets Manager secret',
      count: same(1),
      countUnit: 'secret',
      factors: [],
      unitPrice: ctx.p.secretsManager.secretMonth,
      priceUnit: 'secret-month',
      note,
    },
    {
      type,
      item: 'Secrets Manager API calls',
      count: same(1),
      countUnit: 'secret',
      factors: [{ value: ctx.a.secretsApiCalls10k, unit: '10k calls' }],
      unitPrice: ctx.p.secretsManager.apiCallsPer10k,
      priceUnit: '10k calls',
      note: `assumed ${ctx.a.secretsApiCalls10k * 10000} calls/month per secret`,
    },
  ];

const simple =
  (type: string, item: string, countUnit: string, price: (p: RegionPrices) => number, priceUnit: string, note?: string): Pricer =>
  (ctx) => [{ type, item, count: same(1), countUnit, factors: [], unitPrice: price(ctx.p), priceUnit, note }];

export const RESOURCE_PRICERS: Readonly<Record<string, Pricer>> = {
  aws_autoscaling_group: autoscalingGroup,
  aws_instance: instance,
  aws_nat_gateway: natGateway,
  aws_eip: eip,
  aws_lb: loadBalancer,
  aws_alb: loadBalancer,
  aws_vpc_endpoint: vpcEndpoint,
  aws_flow_log: flowLog,
  aws_cloudwatch_log_group: logGroup,
  aws_ecs_cluster: ecsCluster,
  aws_ecr_repository: ecrRepository,
  aws_s3_bucket: s3Bucket,
  aws_kms_key: kmsKey('aws_kms_key'),
  aws_kms_replica_key: kmsKey('aws_kms_replica_key'),
  aws_cloudwatch_metric_alarm: metricAlarm,
  aws_cloudwatch_composite_alarm: simple(
    'aws_cloudwatch_composite_alarm',
    'CloudWatch composite alarm',
    'alarm',
    (p) => p.cloudwatch.compositeAlarmMonth,
    'alarm-month',
  ),
  aws_cloudwatch_dashboard: simple(
    'aws_cloudwatch_dashboard',
    'CloudWatch dashboard',
    'dashboard',
    (p) => p.cloudwatch.dashboardMonth,
    'dashboard-month',
    "the account's first 3 dashboards are free; not deducted",
  ),
  aws_cloudwatch_log_metric_filter: simple(
    'aws_cloudwatch_log_metric_filter',
    'custom metric from a log metric filter',
    'metric',
    (p) => p.cloudwatch.metricMonth,
    'metric-month',
  ),
  aws_wafv2_web_acl: wafWebAcl,
  aws_route53_zone: simple('aws_route53_zone', 'Route 53 hosted zone', 'zone', (p) => p.route53.hostedZoneMonth, 'zone-month'),
  aws_route53_record: route53Record,
  aws_route53_health_check: simple(
    'aws_route53_health_check',
    'Route 53 health check (AWS endpoint)',
    'health check',
    (p) => p.route53.healthCheckMonth,
    'check-month',
  ),
  aws_sns_topic: (ctx) => [
    {
      type: 'aws_sns_topic',
      item: 'SNS publishes',
      count: same(1),
      countUnit: 'topic',
      factors: [{ value: ctx.a.snsPublishesMillion, unit: 'M requests' }],
      unitPrice: ctx.p.sns.requestsPerMillion,
      priceUnit: 'M requests',
      note: `assumed ${ctx.a.snsPublishesMillion * 1e6} publishes/month; topics themselves are free`,
    },
  ],
  aws_secretsmanager_secret: secret('aws_secretsmanager_secret'),
  aws_ssm_parameter: (ctx, _name, c) =>
    c.tier === 'Advanced'
      ? [
          {
            type: 'aws_ssm_parameter',
            item: 'SSM advanced parameter',
            count: same(1),
            countUnit: 'parameter',
            factors: [],
            unitPrice: ctx.p.ssm.advancedParameterMonth,
            priceUnit: 'parameter-month',
          },
        ]
      : { free: 'standard parameters are free' },
  aws_acm_certificate: (ctx, name, c) => {
    if (c.certificate_authority_arn !== undefined)
      ctx.fail(`aws_acm_certificate.${name}`, 'private certificates (certificate_authority_arn) are not in the price table');
    return { free: 'public ACM certificates are free' };
  },
};

export const DATA_PRICERS: Readonly<Record<string, Pricer>> = {
  aws_secretsmanager_secret: secret('data.aws_secretsmanager_secret', 'read by this stack; billed to the account that owns it'),
  aws_secretsmanager_secret_version: secret(
    'data.aws_secretsmanager_secret_version',
    'read by this stack; billed to the account that owns it',
  ),
};

/** Secrets Manager ARNs task definitions name literally (not resources or data sources of this stack). */
function externalSecretLines(ctx: Context): Line[] {
  const arns = new Set<string>();
  for (const [, td] of ctx.resources('aws_ecs_task_definition')) {
    let containers: any[] = [];
    try {
      containers = typeof td.container_definitions === 'string' ? JSON.parse(td.container_definitions) : [];
    } catch {
      continue;
    }
    for (const container of containers) {
      for (const s of container.secrets ?? []) {
        const m = typeof s.valueFrom === 'string' ? s.valueFrom.match(/^(arn:aws[a-z-]*:secretsmanager:[^:]+:\d+:secret:[^:]+)/) : null;
        if (m) arns.add(m[1]);
      }
    }
  }
  return [...arns].flatMap(
    () =>
      secret('aws_ecs_task_definition', 'a secret the task definition names by ARN; billed to the account that owns it')(
        ctx,
        '',
        {},
      ) as Line[],
  );
}

// ---------------------------------------------------------------------------------------------

/** The region of the stack's default aws provider. */
export function stackRegion(stack: string, json: TerraformJson): string {
  const providers = blocks(json.provider?.aws);
  const main = providers.find((p) => p.alias === undefined) ?? providers[0];
  const region = main?.region;
  if (typeof region !== 'string' || isToken(region)) {
    throw new CostError(`stack ${stack}: the aws provider has no literal region to price in`);
  }
  return region;
}

export function regionPrices(stack: string, region: string): RegionPrices {
  const p = REGIONS[region];
  if (!p) {
    throw new CostError(
      `stack ${stack} is in ${region}, which the price table (${PRICES_AS_OF}) does not cover; available: ${Object.keys(REGIONS).join(', ')} (add it to tools/cost/prices.ts)`,
    );
  }
  return p;
}

/** Types in the JSON that are neither priced nor listed free: `aws_x` and `data.aws_y`. */
export function unpricedTypes(json: TerraformJson): string[] {
  const missing: string[] = [];
  for (const type of Object.keys(json.resource ?? {})) {
    if (!(type in RESOURCE_PRICERS) && !(type in FREE_RESOURCES)) missing.push(type);
  }
  for (const type of Object.keys(json.data ?? {})) {
    if (!(type in DATA_PRICERS) && !(type in FREE_DATA_SOURCES)) missing.push(`data.${type}`);
  }
  return missing.sort();
}

export function estimateStack(stack: string, json: TerraformJson, assumptions: Assumptions = ASSUMPTIONS): StackEstimate {
  const region = stackRegion(stack, json);
  const p = regionPrices(stack, region);
  const missing = unpricedTypes(json);
  if (missing.length > 0) {
    throw new CostError(
      `stack ${stack}: no price for ${missing.join(', ')}; add each to FREE_RESOURCES/FREE_DATA_SOURCES in tools/cost/prices.ts or a pricer in tools/cost/estimate.ts`,
    );
  }
  const entries = (group: Record<string, any> | undefined): [string, any][] =>
    Object.entries(group ?? {}).filter(([name]) => name !== '//');
  const ctx: Context = {
    stack,
    json,
    p,
    a: assumptions,
    resources: (type) => entries(json.resource?.[type]),
    resource: (type, name) => json.resource?.[type]?.[name],
    fail: (address, message) => {
      throw new CostError(`stack ${stack}: ${address}: ${message}`);
    },
  };

  const lines: Line[] = [];
  const free = new Map<string, FreeEntry>();
  const addFree = (type: string, reason: string) => {
    const key = `${type}\u0000${reason}`;
    const seen = free.get(key);
    free.set(key, { type, reason, count: (seen?.count ?? 0) + 1 });
  };
  const run = (kind: 'resource' | 'data', pricers: Readonly<Record<string, Pricer>>, freeTypes: Readonly<Record<string, string>>) => {
    const group = kind === 'resource' ? json.resource : json.data;
    for (const type of Object.keys(group ?? {}).sort()) {
      const shown = kind === 'data' ? `data.${type}` : type;
      for (const [name, config] of entries(group![type])) {
        const pricer = pricers[type];
        if (!pricer) {
          addFree(shown, freeTypes[type]);
          continue;
        }
        const priced = pricer(ctx, name, config);
        if ('free' in priced) addFree(shown, priced.free);
        else lines.push(...priced);
      }
    }
  };
  run('resource', RESOURCE_PRICERS, FREE_RESOURCES);
  run('data', DATA_PRICERS, FREE_DATA_SOURCES);
  lines.push(...externalSecretLines(ctx));

  const merged = mergeLines(lines);
  return {
    stack,
    region,
    location: p.location,
    pricesAsOf: PRICES_AS_OF,
    lines: merged,
    free: [...free.values()],
    total: { min: sum(merged, 'min'), max: sum(merged, 'max') },
  };
}

/** Lines that bill the same thing at the same rate become one line with the counts added. */
function mergeLines(lines: readonly Line[]): Line[] {
  const byKey = new Map<string, Line>();
  for (const line of lines) {
    const key = JSON.stringify([line.type, line.item, line.countUnit, line.factors, line.unitPrice, line.priceUnit, line.note]);
    const seen = byKey.get(key);
    byKey.set(key, seen ? { ...seen, count: { min: seen.count.min + line.count.min, max: seen.count.max + line.count.max } } : line);
  }
  return [...byKey.values()];
}

export function sum(lines: readonly Line[], size: Size): number {
  return lines.reduce((total, line) => total + monthly(line, size), 0);
}

function round(n: number, digits: number): number {
  return Math.round(n * 10 ** digits) / 10 ** digits;
}
