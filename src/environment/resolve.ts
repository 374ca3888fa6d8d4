import { EnvironmentConfig, EnvironmentSettings, LOG_RETENTION_DAYS, NAT_MODES, NatMode } from './config';
import { resolveCapacity } from '../compute/settings';
import { formatCidr, Ipv4Cidr, overlaps, contains, parseCidr, subnet } from '../network/cidr';
import { checkBlockedPaths, resolveHttps } from './https';
import { INSTANCE_TYPES } from '../compute/instance-types';
import { environmentNames, serviceLogGroupName } from '../shared/names';
import { RUNTIME_PROFILE_DEFAULTS } from '../services/runtime-profiles';
import { resolveOperations } from '../operations/settings';
import { resolveSavings } from './savings-config';
import { DEFAULT_SERVICES, resolveServices } from '../services/resolve';
import { checkProductionImage } from '../services/image-reference';
import { ConfigError, NAME, Validator } from '../shared/validator';

export { ConfigError } from '../shared/validator';

/** ALB and target group names are capped at 32 characters; the longest suffix is "-alb". */
export const MAX_NAME_PREFIX_LENGTH = 28;
/** ECS rejects capacity provider names (`<namePrefix>-ec2`) that start with these, midway through an apply. */
export const RESERVED_NAME_PREFIXES = ['aws', 'ecs', 'fargate'] as const;
const AMI_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
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
  v.check(
    'namePrefix',
    namePrefix,
    !RESERVED_NAME_PREFIXES.some((p) => namePrefix.startsWith(p)),
    `a prefix not starting with ${RESERVED_NAME_PREFIXES.join(', ')} (ECS reserves them for capacity provider names)`,
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

  const capacity = resolveCapacity(s.capacity);
  v.integer('capacity.min', capacity.min, 0, 100);
  v.integer('capacity.max', capacity.max, 1, 100);
  v.integer('capacity.targetCapacityPercent', capacity.targetCapacityPercent, 1, 100);
  v.check('capacity.min', capacity.min, capacity.min <= capacity.max, `at most capacity.max (${capacity.max})`);

  const savings = resolveSavings(v, s, instanceType, natMode);

  const spot = { enabled: s.spot?.enabled ?? false, onDemandBaseCapacity: s.spot?.onDemandBaseCapacity ?? 1 };
  v.integer('spot.onDemandBaseCapacity', spot.onDemandBaseCapacity, 0, capacity.max);

  const reservedMemoryMiB = s.reservedMemoryMiB ?? 256;
  v.integer('reservedMemoryMiB', reservedMemoryMiB, 0, spec.registeredMemoryMiB - 128);
  if (s.amiId !== undefined) v.check('amiId', s.amiId, AMI_ID.test(s.amiId), 'an AMI id: ami- and 8 or 17 hexadecimal digits');
  const natAmiId = s.natInstance?.amiId;
  if (natAmiId !== undefined)
    v.check('natInstance.amiId', natAmiId, AMI_ID.test(natAmiId), 'an AMI id: ami- and 8 or 17 hexadecimal digits');

  const services = resolveServices(
    v,
    { environment: name, namePrefix, region, instanceType, cpuCredits: savings.cpuCredits, reservedMemoryMiB, capacity },
    s.services ?? DEFAULT_SERVICES,
  );

  const lb = s.loadBalancer ?? {};
  const loadBalancer = {
    certificateArn: lb.certificateArn,
    ingressCidrs: lb.ingressCidrs ?? ['0.0.0.0/0'],
    idleTimeoutSeconds: lb.idleTimeoutSeconds ?? 60,
    deletionProtection: lb.deletionProtection ?? false,
    accessLogs: lb.accessLogs ?? false,
    accessLogExpirationDays: lb.accessLogExpirationDays ?? 90,
    blockedPaths: lb.blockedPaths ?? ['/actuator*'],
  };
  if (loadBalancer.certificateArn !== undefined) {
    const arn = new RegExp(`^arn:aws[a-z-]*:acm:${region}:\\d{12}:certificate/[0-9a-f-]{36}$`);
    v.check(
      'loadBalancer.certificateArn',
      loadBalancer.certificateArn,
      arn.test(loadBalancer.certificateArn),
      `an ACM certificate ARN in ${region}`,
    );
  }
  v.check('loadBalancer.ingressCidrs', loadBalancer.ingressCidrs, loadBalancer.ingressCidrs.length > 0, 'at least one CIDR');
  loadBalancer.ingressCidrs.forEach((c, i) =>
    v.check(`loadBalancer.ingressCidrs[${i}]`, c, parseCidr(c) !== undefined, 'an IPv4 network CIDR such as 0.0.0.0/0'),
  );
  v.integer('loadBalancer.idleTimeoutSeconds', loadBalancer.idleTimeoutSeconds, 1, 4000);
  checkIdleTimeout(v, loadBalancer.idleTimeoutSeconds, services);
  v.integer('loadBalancer.accessLogExpirationDays', loadBalancer.accessLogExpirationDays, 1, 3650);
  checkBlockedPaths(v, loadBalancer.blockedPaths, services);
  const https = resolveHttps(v, s, loadBalancer.certificateArn);
  if (https.production) {
    for (const service of services) if (service.image.kind === 'uri') checkProductionImage(v, service.name, service.image.uri);
  }

  const logRetentionDays = s.logRetentionDays ?? 30;
  v.check(
    'logRetentionDays',
    logRetentionDays,
    (LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays),
    'a CloudWatch retention: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827 ... 3653',
  );

  const image = { untaggedImageDays: s.image?.untaggedImageDays ?? 14, forceDelete: s.image?.forceDelete ?? false };
  v.integer('image.untaggedImageDays', image.untaggedImageDays, 1, 3650);

  let state: EnvironmentConfig['state'];
  if (s.state !== undefined) {
    state = { bucket: s.state.bucket, region: s.state.region ?? region };
    v.check('state.bucket', state.bucket, BUCKET.test(state.bucket), 'an S3 bucket name: 3-63 lowercase letters, digits, dots, hyphens');
    v.check('state.region', state.region, REGION.test(state.region), 'an AWS region such as us-east-1');
  }

  const operations = resolveOperations(
    v,
    services.map((x) => x.name),
    s.operations,
  );
  if (operations.exec.enabled) {
    // A service's log group sits beside the exec log group: one name, two owners.
    const execLogGroup = environmentNames(namePrefix).execLogGroup;
    for (const service of services) {
      v.check(
        `services.${service.name}`,
        service.name,
        serviceLogGroupName(namePrefix, service.name) !== execLogGroup,
        `another service name while operations.exec is on: ECS Exec's session log group is ${execLogGroup}`,
      );
    }
  }

  const tags = s.tags ?? {};
  for (const [key, value] of Object.entries(tags)) {
    v.check(
      `tags.${key}`,
      value,
      key.length > 0 && key.length <= 128 && !key.startsWith('aws:') && value.length <= 256,
      'a key of 1-128 characters not starting with "aws:" and a value of at most 256',
    );
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
    ...savings,
    reservedMemoryMiB,
    amiId: s.amiId,
    createEcsServiceLinkedRole: s.createEcsServiceLinkedRole ?? false,
    services,
    loadBalancer,
    ...https,
    logRetentionDays,
    image,
    state,
    operations,
    tags,
  };
}

/** The ALB must drop an idle connection before the app does, or it reuses one the app has closed: a 502. */
function checkIdleTimeout(v: Validator, idleTimeoutSeconds: number, services: EnvironmentConfig['services']): void {
  for (const service of services) {
    const keepAlive = RUNTIME_PROFILE_DEFAULTS[service.profile].keepAliveSeconds;
    if (keepAlive === undefined) continue;
    v.check(
      'loadBalancer.idleTimeoutSeconds',
      idleTimeoutSeconds,
      idleTimeoutSeconds < keepAlive,
      `less than ${keepAlive}: services.${service.name} (${service.profile}) keeps idle connections ${keepAlive} s, and an ALB that outlasts it gets 502s`,
    );
  }
}

/**
 * Instance types in brace notation, so the full list fits one terminal line:
 * `{t2,t3}.{micro,small}, m6i.large`. Families with the same sizes share a group.
 */
function braceList(types: readonly string[]): string {
  const group = (pairs: [string, string][]) => pairs.reduce((m, [k, v]) => m.set(k, [...(m.get(k) ?? []), v]), new Map<string, string[]>());
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
  const carve = (offset: number) => Array.from({ length: azCount }, (_, i) => formatCidr(subnet(vpc, newBits, offset + i)));
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
