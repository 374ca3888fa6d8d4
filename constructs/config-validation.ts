import {
  EnvironmentConfig,
  EnvironmentSettings,
  LOG_RETENTION_DAYS,
  NAT_MODES,
  NatMode,
} from './config';
import { formatCidr, Ipv4Cidr, overlaps, contains, parseCidr, subnet } from './cidr';
import { INSTANCE_TYPES, tasksPerInstance } from './instance-types';

/** Bad input: names the environment, the field, the value given and what is allowed. */
export class ConfigError extends Error {
  constructor(
    readonly environment: string,
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`environment "${environment}": ${field} = ${show(value)} is not allowed; expected ${allowed}`);
    this.name = 'ConfigError';
  }
}

function show(value: unknown): string {
  if (value === undefined) return '(unset)';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** ALB and target group names are capped at 32 characters; the longest suffix is "-alb". */
export const MAX_NAME_PREFIX_LENGTH = 28;

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const NAME = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
const IMAGE_URI = /^[a-z0-9.-]+(:\d+)?\/[a-z0-9._\/-]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Applies defaults and validates; throws ConfigError on the first bad field, before any resource exists. */
export function resolveEnvironment(name: string, s: EnvironmentSettings): EnvironmentConfig {
  const v = new Validator(name);
  v.check('name', name, NAME.test(name) && name.length <= 16, 'lowercase letters, digits and hyphens, at most 16 characters');

  const namePrefix = s.namePrefix ?? `host-name-${name}`;
  v.check(
    'namePrefix',
    namePrefix,
    NAME.test(namePrefix) && namePrefix.length <= MAX_NAME_PREFIX_LENGTH,
    `1-${MAX_NAME_PREFIX_LENGTH} lowercase letters, digits and inner hyphens (ALB names max 32)`,
  );

  const region = s.region ?? 'us-east-1';
  v.check('region', region, REGION.test(region), 'an AWS region such as us-east-1');

  const azs = s.availabilityZones ?? [`${region}a`, `${region}b`];
  v.check('availabilityZones', azs, azs.length >= 2 && azs.length <= 3, '2 or 3 availability zones');
  azs.forEach((az, i) =>
    v.check(`availabilityZones[${i}]`, az, new RegExp(`^${region}[a-z]$`).test(az), `an AZ of ${region}, such as ${region}a`),
  );
  v.check('availabilityZones', azs, new Set(azs).size === azs.length, 'distinct availability zones');

  const vpcCidr = s.vpcCidr ?? '10.0.0.0/16';
  const vpc = parseCidr(vpcCidr);
  v.check('vpcCidr', vpcCidr, vpc !== undefined && vpc.prefix >= 16 && vpc.prefix <= 24, 'an IPv4 network CIDR from /16 to /24');
  const subnets = resolveSubnets(v, vpc!, azs.length, s);

  const natMode = (s.natMode ?? 'single') as NatMode;
  v.check('natMode', natMode, NAT_MODES.includes(natMode), `one of ${NAT_MODES.join(', ')}`);

  const instanceType = s.instanceType ?? 't2.micro';
  const spec = INSTANCE_TYPES[instanceType];
  v.check('instanceType', instanceType, spec !== undefined, `one of ${braceList(Object.keys(INSTANCE_TYPES))}`);

  const capacity = { min: s.capacity?.min ?? 1, max: s.capacity?.max ?? 2 };
  v.integer('capacity.min', capacity.min, 0, 100);
  v.integer('capacity.max', capacity.max, 1, 100);
  v.check('capacity.min', capacity.min, capacity.min <= capacity.max, `at most capacity.max (${capacity.max})`);

  const spot = { enabled: s.spot?.enabled ?? false, onDemandBaseCapacity: s.spot?.onDemandBaseCapacity ?? 1 };
  v.integer('spot.onDemandBaseCapacity', spot.onDemandBaseCapacity, 0, capacity.max);

  const reservedMemoryMiB = s.reservedMemoryMiB ?? 256;
  v.integer('reservedMemoryMiB', reservedMemoryMiB, 0, spec.registeredMemoryMiB - 128);
  const taskMemoryCeiling = spec.registeredMemoryMiB - reservedMemoryMiB;

  const memoryMiB = s.task?.memoryMiB ?? 512;
  const task = {
    cpu: s.task?.cpu ?? 512,
    memoryMiB,
    memoryReservationMiB: s.task?.memoryReservationMiB ?? memoryMiB,
    containerPort: s.task?.containerPort ?? 8000,
  };
  v.integer('task.cpu', task.cpu, 128, spec.vcpus * 1024, `cpu units from 128 to ${spec.vcpus * 1024} (${instanceType} has ${spec.vcpus} vCPU)`);
  v.integer(
    'task.memoryMiB',
    task.memoryMiB,
    128,
    taskMemoryCeiling,
    `128 to ${taskMemoryCeiling} MiB: ${instanceType} registers ${spec.registeredMemoryMiB} MiB, less ${reservedMemoryMiB} reserved for the OS and agent`,
  );
  v.integer('task.memoryReservationMiB', task.memoryReservationMiB, 64, task.memoryMiB, `64 to task.memoryMiB (${task.memoryMiB}) MiB`);
  v.integer('task.containerPort', task.containerPort, 1, 65535);

  const minTasks = s.service?.minTasks ?? 1;
  const service = {
    minTasks,
    maxTasks: s.service?.maxTasks ?? 2,
    desiredCount: s.service?.desiredCount ?? minTasks,
    requestsPerTarget: s.service?.requestsPerTarget ?? 50,
    cpuTargetPercent: s.service?.cpuTargetPercent ?? 60,
    scaleOutCooldownSeconds: s.service?.scaleOutCooldownSeconds ?? 60,
    scaleInCooldownSeconds: s.service?.scaleInCooldownSeconds ?? 300,
    healthCheckGracePeriodSeconds: s.service?.healthCheckGracePeriodSeconds ?? 60,
  };
  v.integer('service.minTasks', service.minTasks, 1, 1000);
  v.integer('service.maxTasks', service.maxTasks, service.minTasks, 1000, `at least service.minTasks (${service.minTasks})`);
  v.integer('service.desiredCount', service.desiredCount, service.minTasks, service.maxTasks, `service.minTasks..maxTasks (${service.minTasks}..${service.maxTasks})`);
  const perInstance = tasksPerInstance(spec, task, reservedMemoryMiB);
  const placeable = perInstance * capacity.max;
  v.check(
    'service.maxTasks',
    service.maxTasks,
    service.maxTasks <= placeable,
    `at most ${placeable}: ${capacity.max} x ${instanceType} hold ${perInstance} task(s) each`,
  );
  v.check('service.requestsPerTarget', service.requestsPerTarget, Number.isFinite(service.requestsPerTarget) && service.requestsPerTarget > 0, 'a number above 0');
  v.integer('service.cpuTargetPercent', service.cpuTargetPercent, 1, 100);
  v.integer('service.scaleOutCooldownSeconds', service.scaleOutCooldownSeconds, 0, 3600);
  v.integer('service.scaleInCooldownSeconds', service.scaleInCooldownSeconds, 0, 3600);
  v.integer('service.healthCheckGracePeriodSeconds', service.healthCheckGracePeriodSeconds, 0, 3600);

  const lb = s.loadBalancer ?? {};
  const loadBalancer = {
    certificateArn: lb.certificateArn,
    ingressCidrs: lb.ingressCidrs ?? ['0.0.0.0/0'],
    idleTimeoutSeconds: lb.idleTimeoutSeconds ?? 60,
    deletionProtection: lb.deletionProtection ?? false,
    accessLogs: lb.accessLogs ?? false,
    accessLogExpirationDays: lb.accessLogExpirationDays ?? 90,
    healthCheckPath: lb.healthCheckPath ?? '/actuator/health/readiness',
    healthCheckIntervalSeconds: lb.healthCheckIntervalSeconds ?? 15,
    healthyThreshold: lb.healthyThreshold ?? 2,
    unhealthyThreshold: lb.unhealthyThreshold ?? 3,
    deregistrationDelaySeconds: lb.deregistrationDelaySeconds ?? 30,
  };
  if (loadBalancer.certificateArn !== undefined) {
    const arn = new RegExp(`^arn:aws[a-z-]*:acm:${region}:\\d{12}:certificate/[0-9a-f-]{36}$`);
    v.check('loadBalancer.certificateArn', loadBalancer.certificateArn, arn.test(loadBalancer.certificateArn), `an ACM certificate ARN in ${region}`);
  }
  v.check('loadBalancer.ingressCidrs', loadBalancer.ingressCidrs, loadBalancer.ingressCidrs.length > 0, 'at least one CIDR');
  loadBalancer.ingressCidrs.forEach((c, i) =>
    v.check(`loadBalancer.ingressCidrs[${i}]`, c, parseCidr(c) !== undefined, 'an IPv4 network CIDR such as 0.0.0.0/0'),
  );
  v.integer('loadBalancer.idleTimeoutSeconds', loadBalancer.idleTimeoutSeconds, 1, 4000);
  v.integer('loadBalancer.accessLogExpirationDays', loadBalancer.accessLogExpirationDays, 1, 3650);
  v.check(
    'loadBalancer.healthCheckPath',
    loadBalancer.healthCheckPath,
    /^\/[\x21-\x7e]{0,1023}$/.test(loadBalancer.healthCheckPath),
    'a path starting with "/" and no spaces',
  );
  v.integer('loadBalancer.healthCheckIntervalSeconds', loadBalancer.healthCheckIntervalSeconds, 5, 300);
  v.integer('loadBalancer.healthyThreshold', loadBalancer.healthyThreshold, 2, 10);
  v.integer('loadBalancer.unhealthyThreshold', loadBalancer.unhealthyThreshold, 2, 10);
  v.integer('loadBalancer.deregistrationDelaySeconds', loadBalancer.deregistrationDelaySeconds, 0, 3600);

  const logRetentionDays = s.logRetentionDays ?? 30;
  v.check(
    'logRetentionDays',
    logRetentionDays,
    (LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays),
    'a CloudWatch retention: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827 ... 3653',
  );

  const image = { uri: s.image?.uri, keepImages: s.image?.keepImages ?? 20, forceDelete: s.image?.forceDelete ?? false };
  if (image.uri !== undefined) {
    v.check('image.uri', image.uri, IMAGE_URI.test(image.uri), 'registry/repository:tag or registry/repository@sha256:<digest>');
  }
  v.integer('image.keepImages', image.keepImages, 1, 1000);

  let state: EnvironmentConfig['state'];
  if (s.state !== undefined) {
    state = { bucket: s.state.bucket, region: s.state.region ?? region };
    v.check('state.bucket', state.bucket, BUCKET.test(state.bucket), 'an S3 bucket name: 3-63 lowercase letters, digits, dots, hyphens');
    v.check('state.region', state.region, REGION.test(state.region), 'an AWS region such as us-east-1');
  }

  const tags = s.tags ?? {};
  for (const [key, value] of Object.entries(tags)) {
    v.check(`tags.${key}`, value, key.length > 0 && key.length <= 128 && !key.startsWith('aws:') && value.length <= 256, 'a key of 1-128 characters not starting with "aws:" and a value of at most 256');
  }

  return {
    name,
    namePrefix,
    region,
    availabilityZones: azs,
    vpcCidr,
    ...subnets,
    natMode,
    flowLogs: s.flowLogs ?? false,
    instanceType,
    capacity,
    spot,
    reservedMemoryMiB,
    task,
    service,
    loadBalancer,
    logRetentionDays,
    image,
    state,
    tags,
  };
}

/**
 * Instance types in brace notation, so the full list fits one terminal line:
 * `{t2,t3}.{micro,small}, m6i.large`. Families with the same sizes share a group.
 */
function braceList(types: readonly string[]): string {
  const group = (pairs: [string, string][]) =>
    pairs.reduce((m, [k, v]) => m.set(k, [...(m.get(k) ?? []), v]), new Map<string, string[]>());
  const brace = (xs: string[]) => (xs.length > 1 ? `{${xs.join(',')}}` : xs[0]);
  const sizesByFamily = group(types.map((t) => t.split('.', 2) as [string, string]));
  const familiesBySizes = group([...sizesByFamily].map(([family, sizes]) => [sizes.join(','), family]));
  return [...familiesBySizes].map(([sizes, families]) => `${brace(families)}.${brace(sizes.split(','))}`).join(', ');
}

/** Explicit subnet CIDRs are checked; missing ones are carved deterministically from the VPC. */
function resolveSubnets(v: Validator, vpc: Ipv4Cidr, azCount: number, s: EnvironmentSettings) {
  // Public subnets take the lower half of the VPC, private the upper half; each gets
  // VPC prefix + 4 (a /20 in a /16), so adding an AZ never renumbers existing subnets.
  const newBits = 4;
  const half = 2 ** (newBits - 1);
  const carve = (offset: number) =>
    Array.from({ length: azCount }, (_, i) => formatCidr(subnet(vpc, newBits, offset + i)));
  const publicSubnetCidrs = s.publicSubnetCidrs ?? carve(0);
  const privateSubnetCidrs = s.privateSubnetCidrs ?? carve(half);

  const all: { field: string; text: string; cidr: Ipv4Cidr }[] = [];
  for (const [field, list] of [
    ['publicSubnetCidrs', publicSubnetCidrs],
    ['privateSubnetCidrs', privateSubnetCidrs],
  ] as const) {
    v.check(field, list, list.length === azCount, `one CIDR per availability zone (${azCount})`);
    list.forEach((text, i) => {
      const cidr = parseCidr(text);
      const at = `${field}[${i}]`;
      v.check(at, text, cidr !== undefined && cidr.prefix <= 28, 'an IPv4 network CIDR of /28 or larger');
      v.check(at, text, contains(vpc, cidr!), `a subnet inside vpcCidr ${formatCidr(vpc)}`);
      const clash = all.find((other) => overlaps(other.cidr, cidr!));
      v.check(at, text, clash === undefined, `no overlap with ${clash?.field} ${clash?.text}`);
      all.push({ field: at, text, cidr: cidr! });
    });
  }
  return { publicSubnetCidrs, privateSubnetCidrs };
}

class Validator {
  constructor(private readonly environment: string) {}

  check(field: string, value: unknown, ok: boolean, allowed: string): void {
    if (!ok) throw new ConfigError(this.environment, field, value, allowed);
  }

  integer(field: string, value: number, min: number, max: number, allowed = `a whole number from ${min} to ${max}`): void {
    this.check(field, value, Number.isInteger(value) && value >= min && value <= max, allowed);
  }
}

/** Runs `main`; bad input ends the process with one line on stderr and exit code 2, no stack trace. */
export function exitOnConfigError(main: () => void): void {
  try {
    main();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(2);
  }
}
