import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Testing } from 'cdktf';
import { addEnvironmentStacks } from '../src/app';
import { DeploymentSettings, EnvironmentSettings, RoutingSettings, ServiceSettings } from '../src/environment/config';
import { ConfigError, resolveEnvironment } from '../src/environment/resolve';
import { DEFAULT_ENVIRONMENTS, ENVIRONMENTS } from '../src/environments';
import { DEFAULT_SERVICES } from '../src/services/settings';
import { SpotSettings } from '../src/compute/settings';
import { overridesFromEnv, requestedEnvironments, selectEnvironments } from '../src/environment/select';
import { resolveNames } from '../src/environment/stacks';
import { environmentStackName } from '../src/shared/names';
import { DEMO_ENVIRONMENTS, demoConfigs } from './support/fixtures';

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/host-name:1.0.0';
const CERT_ID = '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';

// The cases break the demo, whose messages they know; only the CLI's run main.ts on src/environments.ts.
const dev = DEMO_ENVIRONMENTS.dev;
const micro = DEMO_ENVIRONMENTS.microservices;
/** The dev environment with some settings replaced (nested objects are replaced whole). */
const devWith = (s: EnvironmentSettings) => () => resolveEnvironment('dev', { ...dev, ...s });
const microWith = (s: EnvironmentSettings) => () => resolveEnvironment('microservices', { ...micro, ...s });
const prod = DEMO_ENVIRONMENTS.prod;
const prodWith = (s: EnvironmentSettings) => () => resolveEnvironment('prod', { ...prod, ...s });
const CERT = `arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0`;

/** A service with some of its groups (container, scaling, ...) merged with new values, or replaced when not objects. */
function patched(service: ServiceSettings, patch: Partial<Record<keyof ServiceSettings, unknown>>): ServiceSettings {
  const merged = Object.entries(patch).map(([key, value]) => {
    const own = (service as unknown as Record<string, unknown>)[key];
    return [key, typeof value === 'object' && !Array.isArray(value) && key !== 'image' ? { ...(own as object), ...value } : value];
  });
  return { ...service, ...Object.fromEntries(merged) };
}
/** dev with its host-name service patched. */
const devHostName = (patch: Partial<Record<keyof ServiceSettings, unknown>>) =>
  devWith({ services: { 'host-name': patched(dev.services!['host-name'], patch) } });
/** dev's host-name service with secrets (and a KMS key). */
const devSecret = (secrets: Record<string, string>, secretsKmsKeyArn?: string) => devHostName({ container: { secrets, secretsKmsKeyArn } });
/** microservices with one service's routing replaced (others patched too when given). */
const microRoute = (name: string, routing: RoutingSettings, others: Record<string, RoutingSettings> = {}) => {
  const services = { ...micro.services! };
  for (const [n, r] of Object.entries({ ...others, [name]: routing })) services[n] = { ...services[n], routing: r };
  return microWith({ services });
};

/** microservices with every service on the instances (the fit check counts those alone). */
const microOnEc2 = () => Object.fromEntries(Object.entries(micro.services!).map(([n, s]) => [n, { ...s, runsOn: 'ec2' as const }]));

/** microservices with its posts service on the instances, deployed as given (others as they are, unless given too). */
const microDeploy = (deployment: DeploymentSettings, others: Record<string, DeploymentSettings> = {}) => {
  const services = microOnEc2();
  for (const [n, d] of Object.entries({ ...others, posts: deployment })) services[n] = { ...services[n], deployment: d };
  return microWith({ services });
};
/** microservices with its posts service patched (on Fargate in the demo). */
const microPosts = (patch: Partial<Record<keyof ServiceSettings, unknown>>) =>
  microWith({ services: { ...micro.services!, posts: patched(micro.services!.posts, patch) } });
const BG = { strategy: 'blue-green' } as const;

/** [what is wrong, how it is given, the exact message]. */
const CASES: readonly (readonly [string, () => unknown, string])[] = [
  // Network
  [
    'malformed VPC CIDR',
    devWith({ vpcCidr: '10.10.0/16' }),
    'environment "dev": vpcCidr = "10.10.0/16" is not allowed; expected an IPv4 network CIDR from /16 to /24',
  ],
  [
    'VPC CIDR with host bits',
    devWith({ vpcCidr: '10.10.0.1/16' }),
    'environment "dev": vpcCidr = "10.10.0.1/16" is not allowed; expected an IPv4 network CIDR from /16 to /24',
  ],
  [
    'VPC CIDR too small',
    devWith({ vpcCidr: '10.10.0.0/25' }),
    'environment "dev": vpcCidr = "10.10.0.0/25" is not allowed; expected an IPv4 network CIDR from /16 to /24',
  ],
  [
    'VPC CIDR too large',
    devWith({ vpcCidr: '10.0.0.0/8' }),
    'environment "dev": vpcCidr = "10.0.0.0/8" is not allowed; expected an IPv4 network CIDR from /16 to /24',
  ],
  [
    'subnet too small',
    devWith({ publicSubnetCidrs: ['10.10.0.0/29', '10.10.16.0/20'] }),
    'environment "dev": publicSubnetCidrs[0] = "10.10.0.0/29" is not allowed; expected an IPv4 network CIDR of /28 or larger',
  ],
  [
    'fewer subnets than AZs',
    devWith({ publicSubnetCidrs: ['10.10.0.0/20'] }),
    'environment "dev": publicSubnetCidrs = ["10.10.0.0/20"] is not allowed; expected one CIDR per availability zone (2)',
  ],
  [
    'public subnets overlapping each other',
    devWith({ publicSubnetCidrs: ['10.10.0.0/20', '10.10.0.0/24'] }),
    'environment "dev": publicSubnetCidrs[1] = "10.10.0.0/24" is not allowed; expected no overlap with publicSubnetCidrs[0] 10.10.0.0/20',
  ],
  [
    'private subnet overlapping a public one',
    devWith({ privateSubnetCidrs: ['10.10.128.0/20', '10.10.8.0/24'] }),
    'environment "dev": privateSubnetCidrs[1] = "10.10.8.0/24" is not allowed; expected no overlap with publicSubnetCidrs[0] 10.10.0.0/20',
  ],
  [
    'subnet outside the VPC',
    devWith({ privateSubnetCidrs: ['10.10.128.0/20', '10.11.0.0/20'] }),
    'environment "dev": privateSubnetCidrs[1] = "10.11.0.0/20" is not allowed; expected a subnet inside vpcCidr 10.10.0.0/16',
  ],
  [
    'one AZ',
    devWith({ availabilityZones: ['us-east-1a'] }),
    'environment "dev": availabilityZones = ["us-east-1a"] is not allowed; expected 2 or 3 availability zones',
  ],
  [
    'four AZs',
    devWith({ availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d'] }),
    'environment "dev": availabilityZones = ["us-east-1a","us-east-1b","us-east-1c","us-east-1d"] is not allowed; expected 2 or 3 availability zones',
  ],
  [
    'AZ of another region',
    devWith({ availabilityZones: ['us-east-1a', 'eu-west-1b'] }),
    'environment "dev": availabilityZones[1] = "eu-west-1b" is not allowed; expected an AZ of us-east-1, such as us-east-1a',
  ],
  [
    'region changed, AZs not',
    prodWith({ region: 'eu-west-1' }),
    'environment "prod": availabilityZones[0] = "us-east-1a" is not allowed; expected an AZ of eu-west-1, such as eu-west-1a',
  ],
  [
    'duplicate AZs',
    devWith({ availabilityZones: ['us-east-1a', 'us-east-1a'] }),
    'environment "dev": availabilityZones = ["us-east-1a","us-east-1a"] is not allowed; expected distinct availability zones',
  ],
  [
    'unknown region',
    devWith({ region: 'mars-north-1' }),
    'environment "dev": region = "mars-north-1" is not allowed; expected an AWS region such as us-east-1',
  ],
  [
    'unknown NAT mode',
    devWith({ natMode: 'none' as never }),
    'environment "dev": natMode = "none" is not allowed; expected one of per-az, single, instance',
  ],

  // Savings (network/resolve.ts, compute/resolve.ts)
  [
    'NAT instance type that is not Graviton',
    devWith({ natInstance: { instanceType: 't3.nano' } }),
    'environment "dev": natInstance.instanceType = "t3.nano" is not allowed; expected one of t4g.nano, t4g.micro, t4g.small, t4g.medium',
  ],
  [
    'unknown CPU credit mode',
    devWith({ instanceType: 't3.micro', cpuCredits: 'boost' as never }),
    'environment "dev": cpuCredits = "boost" is not allowed; expected one of standard, unlimited',
  ],
  [
    'CPU credits on a type without them',
    prodWith({ instanceType: 'm6i.large', cpuCredits: 'standard' }),
    'environment "prod": cpuCredits = "standard" is not allowed; expected unset: m6i.large is not burstable (only t2, t3, t3a and t4g have CPU credits)',
  ],
  [
    'unknown flow log destination',
    devWith({ flowLogs: true, flowLogDestination: 'kinesis' as never }),
    'environment "dev": flowLogDestination = "kinesis" is not allowed; expected one of cloud-watch-logs, s3',
  ],
  [
    'unknown flow log traffic type',
    devWith({ flowLogs: true, flowLogTraffic: 'DENY' as never }),
    'environment "dev": flowLogTraffic = "DENY" is not allowed; expected one of ALL, ACCEPT, REJECT',
  ],
  [
    'schedule time zone that is not IANA',
    devWith({ schedule: { enabled: true, timeZone: 'CEST' } }),
    'environment "dev": schedule.timeZone = "CEST" is not allowed; expected an IANA time zone name such as Europe/Berlin or UTC',
  ],
  [
    'schedule time zone in the wrong case',
    devWith({ schedule: { enabled: true, timeZone: 'europe/berlin' } }),
    'environment "dev": schedule.timeZone = "europe/berlin" is not allowed; expected an IANA time zone name such as Europe/Berlin or UTC',
  ],
  [
    'schedule days as numbers',
    devWith({ schedule: { enabled: true, days: '1-5' } }),
    'environment "dev": schedule.days = "1-5" is not allowed; expected day names SUN MON TUE WED THU FRI SAT as a cron day-of-week field: a range in week order (MON-FRI) or a list (MON,WED,FRI)',
  ],
  [
    'schedule days wrapping the week',
    devWith({ schedule: { enabled: true, days: 'FRI-MON' } }),
    'environment "dev": schedule.days = "FRI-MON" is not allowed; expected day names SUN MON TUE WED THU FRI SAT as a cron day-of-week field: a range in week order (MON-FRI) or a list (MON,WED,FRI)',
  ],
  [
    'schedule start that is not HH:MM',
    devWith({ schedule: { enabled: true, start: '7:00' } }),
    'environment "dev": schedule.start = "7:00" is not allowed; expected a time HH:MM (24 h), such as 08:00',
  ],
  [
    'schedule stop before start',
    devWith({ schedule: { enabled: true, start: '09:00', stop: '08:30' } }),
    'environment "dev": schedule.stop = "08:30" is not allowed; expected a time HH:MM after start (09:00) and at most 23:34: the instances stop 15 min later, the NAT instance 10 min after, the same day',
  ],
  [
    'schedule stop too late for the instances and the NAT instance to follow the same day',
    devWith({ schedule: { enabled: true, stop: '23:40' } }),
    'environment "dev": schedule.stop = "23:40" is not allowed; expected a time HH:MM after start (08:00) and at most 23:34: the instances stop 15 min later, the NAT instance 10 min after, the same day',
  ],
  [
    'schedule stop too late for the instances to follow the same day (no NAT instance)',
    devWith({ natMode: 'single', schedule: { enabled: true, stop: '23:50' } }),
    'environment "dev": schedule.stop = "23:50" is not allowed; expected a time HH:MM after start (08:00) and at most 23:44, so the instances\' scale-in (15 min later) is the same day',
  ],
  [
    'schedule start too early for the NAT instance to start the same day',
    devWith({ schedule: { enabled: true, start: '00:05' } }),
    'environment "dev": schedule.start = "00:05" is not allowed; expected a time HH:MM at 00:10 or later, so the NAT instance (natMode instance) starts 10 min before, the same day',
  ],

  // Capacity and sizing
  [
    'unknown instance type',
    devWith({ instanceType: 't2.nano' }),
    'environment "dev": instanceType = "t2.nano" is not allowed; expected a type listed in src/compute/instance-type-table.ts, or another with instanceSpec { vcpus, memoryMiB, architecture }',
  ],
  [
    'instanceSpec for a type the table lists',
    devWith({ instanceType: 't3.small', instanceSpec: { vcpus: 2, memoryMiB: 2048, architecture: 'x86_64' } }),
    'environment "dev": instanceSpec = {"vcpus":2,"memoryMiB":2048,"architecture":"x86_64"} is not allowed; expected unset: t3.small is in the instance type table (2 vCPU, 2048 MiB, x86_64)',
  ],
  [
    'an unlisted type whose name is not an instance type',
    devWith({ instanceType: 'c8g large', instanceSpec: { vcpus: 2, memoryMiB: 4096, architecture: 'arm64' } }),
    'environment "dev": instanceType = "c8g large" is not allowed; expected an EC2 instance type name such as c7i.large',
  ],
  [
    'instanceSpec with a misspelled field',
    devWith({ instanceType: 'c8g.large', instanceSpec: { vcpu: 2, memoryMiB: 4096, architecture: 'arm64' } as never }),
    'environment "dev": instanceSpec.vcpu = 2 is not allowed; expected a known field; did you mean instanceSpec.vcpus?',
  ],
  [
    'instanceSpec without vCPUs',
    devWith({ instanceType: 'c8g.large', instanceSpec: { vcpus: 0, memoryMiB: 4096, architecture: 'arm64' } }),
    'environment "dev": instanceSpec.vcpus = 0 is not allowed; expected a whole number from 1 to 1024',
  ],
  [
    'instanceSpec memory in GiB instead of MiB',
    devWith({ instanceType: 'c8g.large', instanceSpec: { vcpus: 2, memoryMiB: 4, architecture: 'arm64' } }),
    'environment "dev": instanceSpec.memoryMiB = 4 is not allowed; expected a whole number of MiB from 1024 (1 GiB) to 33554432 (32 TiB): describe-instance-types MemoryInfo.SizeInMiB',
  ],
  [
    'instanceSpec architecture as uname prints it',
    devWith({ instanceType: 'c8g.large', instanceSpec: { vcpus: 2, memoryMiB: 4096, architecture: 'aarch64' as 'arm64' } }),
    'environment "dev": instanceSpec.architecture = "aarch64" is not allowed; expected one of x86_64, arm64',
  ],
  [
    'capacity min above max',
    devWith({ capacity: { min: 3, max: 2 } }),
    'environment "dev": capacity.min = 3 is not allowed; expected at most capacity.max (2)',
  ],
  [
    'fractional instance count',
    devWith({ capacity: { min: 1.5, max: 2 } }),
    'environment "dev": capacity.min = 1.5 is not allowed; expected a whole number from 0 to 100',
  ],
  [
    "the replaced Spot option's on-demand base",
    devWith({ spot: { enabled: true, onDemandBaseCapacity: 1 } as SpotSettings }),
    'environment "dev": spot.onDemandBaseCapacity = 1 is not allowed; expected unset: each EC2 service\'s minTasks run on-demand now, the rest spot.weight:1 Spot; capacity.min sets the on-demand instances',
  ],
  [
    'Spot instance types of another architecture',
    devWith({ spot: { enabled: true, instanceTypes: ['t2.micro', 't3.micro', 't4g.micro'] } }),
    'environment "dev": spot.instanceTypes = "t4g.micro" is not allowed; expected a type of t2.micro\'s architecture, x86_64 (one AMI for the group)',
  ],
  [
    'Spot instance types the table does not know',
    devWith({ spot: { enabled: true, instanceTypes: ['t2.micro', 't3.micro', 't3.mikro'] } }),
    'environment "dev": spot.instanceTypes = "t3.mikro" is not allowed; expected a type listed in src/compute/instance-type-table.ts (the fit check sizes tasks against it)',
  ],
  [
    'Spot instance types of another size',
    devWith({ spot: { enabled: true, instanceTypes: ['t2.micro', 't3.micro', 't3.large'] } }),
    'environment "dev": spot.instanceTypes = "t3.large" is not allowed; expected a type of similar size to t2.micro (1 vCPU, 1024 MiB): half to twice its vCPUs and memory',
  ],
  [
    'a single Spot instance type',
    devWith({ spot: { enabled: true, instanceTypes: ['t2.micro'] } }),
    'environment "dev": spot.instanceTypes = ["t2.micro"] is not allowed; expected a list of 3 to 4 instance types',
  ],
  [
    'Spot with no default instance types for a Graviton burstable type',
    devWith({ instanceType: 't4g.small', spot: { enabled: true } }),
    'environment "dev": spot.instanceTypes = (unset) is not allowed; expected 3 to 4 types like t4g.small, listed: the table has 2 of its kind, at most twice its size (t4g.small, t4g.medium)',
  ],
  [
    'a Spot weight of 0',
    devWith({ spot: { enabled: true, weight: 0 } }),
    'environment "dev": spot.weight = 0 is not allowed; expected a whole number from 1 to 1000',
  ],
  [
    'reserved memory leaving no room',
    devWith({ reservedMemoryMiB: 900 }),
    'environment "dev": reservedMemoryMiB = 900 is not allowed; expected a whole number from 0 to 854',
  ],
  [
    "the tutorial's 870 MiB task on t2.micro",
    devHostName({ container: { cpu: 512, memoryMiB: 870 } }),
    'environment "dev": services.host-name.container.memoryMiB = 870 is not allowed; expected 128 to 726 MiB: t2.micro registers 982 MiB, less 256 reserved for the OS and agent',
  ],
  [
    'cpu units below 128',
    devHostName({ container: { cpu: 100 } }),
    'environment "dev": services.host-name.container.cpu = 100 is not allowed; expected cpu units from 128 to 1024 (t2.micro has 1 vCPU)',
  ],
  [
    'more cpu units than the instance has',
    devHostName({ container: { cpu: 2048 } }),
    'environment "dev": services.host-name.container.cpu = 2048 is not allowed; expected cpu units from 128 to 1024 (t2.micro has 1 vCPU)',
  ],
  [
    'memory reservation above the hard limit',
    devHostName({ container: { memoryMiB: 512, memoryReservationMiB: 600 } }),
    'environment "dev": services.host-name.container.memoryReservationMiB = 600 is not allowed; expected 64 to container.memoryMiB (512) MiB',
  ],
  [
    'container port out of range',
    devHostName({ container: { port: 70000 } }),
    'environment "dev": services.host-name.container.port = 70000 is not allowed; expected a whole number from 1 to 65535',
  ],
  [
    'stop timeout above what ECS allows',
    devHostName({ container: { stopTimeoutSeconds: 300 } }),
    'environment "dev": services.host-name.container.stopTimeoutSeconds = 300 is not allowed; expected a whole number from 2 to 120',
  ],
  [
    'health check command without CMD',
    devHostName({ container: { healthCheck: { command: ['/bin/check'] } } }),
    'environment "dev": services.host-name.container.healthCheck.command = ["/bin/check"] is not allowed; expected ["CMD", ...] or ["CMD-SHELL", "..."]',
  ],
  [
    'shell health check split into several strings',
    devHostName({ container: { healthCheck: { command: ['CMD-SHELL', 'curl', '-f', 'http://localhost/'] } } }),
    'environment "dev": services.host-name.container.healthCheck.command = ["CMD-SHELL","curl","-f","http://localhost/"] is not allowed; expected ["CMD", ...] or ["CMD-SHELL", "..."]',
  ],
  [
    'read-only root given as a string',
    devHostName({ container: { readonlyRootFilesystem: 'yes' as unknown as boolean } }),
    'environment "dev": services.host-name.container.readonlyRootFilesystem = "yes" is not allowed; expected true or false',
  ],
  [
    'relative writable path',
    devHostName({ container: { writablePaths: { cache: { path: 'var/cache/nginx' } } } }),
    'environment "dev": services.host-name.container.writablePaths.cache.path = "var/cache/nginx" is not allowed; expected an absolute normalized path other than /, such as /var/cache/nginx',
  ],
  [
    'writable path with ".."',
    devHostName({ container: { writablePaths: { cache: { path: '/var/cache/../lib' } } } }),
    'environment "dev": services.host-name.container.writablePaths.cache.path = "/var/cache/../lib" is not allowed; expected an absolute normalized path other than /, such as /var/cache/nginx',
  ],
  [
    'the root as a writable path',
    devHostName({ container: { writablePaths: { all: { path: '/' } } } }),
    'environment "dev": services.host-name.container.writablePaths.all.path = "/" is not allowed; expected an absolute normalized path other than /, such as /var/cache/nginx',
  ],
  [
    'writable path without a path',
    devHostName({ container: { writablePaths: { cache: {} as { path: string } } } }),
    'environment "dev": services.host-name.container.writablePaths.cache.path = (unset) is not allowed; expected an absolute normalized path other than /, such as /var/cache/nginx',
  ],
  [
    'writable path on /tmp, a task volume already',
    devHostName({ container: { writablePaths: { scratch: { path: '/tmp' } } } }),
    'environment "dev": services.host-name.container.writablePaths.scratch.path = "/tmp" is not allowed; expected none of /tmp, /var/lib/amazon, /var/log/amazon (task volumes: /tmp, and ECS Exec\'s)',
  ],
  [
    "writable path on ECS Exec's agent state",
    devHostName({ container: { writablePaths: { ssm: { path: '/var/lib/amazon' } } } }),
    'environment "dev": services.host-name.container.writablePaths.ssm.path = "/var/lib/amazon" is not allowed; expected none of /tmp, /var/lib/amazon, /var/log/amazon (task volumes: /tmp, and ECS Exec\'s)',
  ],
  [
    'two writable paths on one path',
    devHostName({ container: { writablePaths: { a: { path: '/run' }, b: { path: '/run' } } } }),
    'environment "dev": services.host-name.container.writablePaths.b.path = "/run" is not allowed; expected a path no other writable path has (writablePaths.a)',
  ],
  [
    'writable path name in capitals',
    devHostName({ container: { writablePaths: { Cache: { path: '/var/cache/nginx' } } } }),
    'environment "dev": services.host-name.container.writablePaths.Cache = "Cache" is not allowed; expected a name of 1-32 lowercase letters, digits and inner hyphens',
  ],
  [
    'tmpfs of size 0',
    devHostName({ container: { writablePaths: { run: { path: '/run', sizeMiB: 0 } } } }),
    'environment "dev": services.host-name.container.writablePaths.run.sizeMiB = 0 is not allowed; expected a positive whole number of MiB',
  ],
  [
    'tmpfs of a fractional size',
    devHostName({ container: { writablePaths: { run: { path: '/run', sizeMiB: 1.5 } } } }),
    'environment "dev": services.host-name.container.writablePaths.run.sizeMiB = 1.5 is not allowed; expected a positive whole number of MiB',
  ],
  [
    'tmpfs sizes adding up to the memory limit',
    devHostName({ container: { writablePaths: { a: { path: '/a', sizeMiB: 256 }, b: { path: '/b', sizeMiB: 256 } } } }),
    'environment "dev": services.host-name.container.writablePaths (sizeMiB total) = 512 is not allowed; expected below container.memoryMiB (512): tmpfs files count against the memory limit',
  ],
  ...(['root', '0', '0:0', '1000:0', 'app:root:x', 'app user'] as const).map(
    (user) =>
      [
        `user ${user}`,
        devHostName({ container: { user } }),
        `environment "dev": services.host-name.container.user = "${user}" is not allowed; expected a non-root user: uid, uid:gid, user or user:group (ids positive whole numbers)`,
      ] as const,
  ),

  // Scaling, and the fit of every service on the instances
  [
    'zero minimum tasks',
    devHostName({ scaling: { minTasks: 0 } }),
    'environment "dev": services.host-name.scaling.minTasks = 0 is not allowed; expected a whole number from 1 to 1000',
  ],
  [
    'desired count outside min..max',
    devHostName({ scaling: { desiredCount: 3 } }),
    'environment "dev": services.host-name.scaling.desiredCount = 3 is not allowed; expected scaling.minTasks..maxTasks (1..2)',
  ],
  [
    'one service: more tasks than the instances can place while deploying',
    devHostName({ scaling: { maxTasks: 3 } }),
    'environment "dev": capacity.max = 2 is not allowed; expected at least 3: 2 x maxTasks of all services (a 200% deployment) reserve 1344 MiB, 3072 cpu units; a t2.micro holds 726, 1024',
  ],
  [
    'every service together: more than capacity.max holds',
    microWith({ capacity: { min: 1, max: 1 }, services: microOnEc2() }),
    'environment "microservices": capacity.max = 1 is not allowed; expected at least 4: 2 x maxTasks of all services (a 200% deployment) reserve 5120 MiB, 3072 cpu units; a t3.small holds 1683, 2048',
  ],
  [
    'a smaller Spot type tips the fit: tasks are sized against the smallest',
    microWith({
      spot: { enabled: true, instanceTypes: ['t3.small', 't3a.small', 't3.micro'] },
      // Every service on the instances: Fargate tasks take none of them.
      services: Object.fromEntries(Object.entries(micro.services!).map(([name, s]) => [name, { ...s, runsOn: 'ec2' as const }])),
    }),
    'environment "microservices": capacity.max = 2 is not allowed; expected at least 8: 2 x maxTasks of all services (a 200% deployment) reserve 5120 MiB, 3072 cpu units; the smallest type holds 687, 2048',
  ],
  [
    'a fourth service tips the fit',
    microWith({
      services: {
        ...micro.services,
        search: {
          ...micro.services!.posts,
          runsOn: 'ec2',
          routing: { pathPatterns: ['/search*'] },
          container: { port: 3000, cpu: 1024, memoryMiB: 256 },
        },
      },
    }),
    'environment "microservices": capacity.max = 2 is not allowed; expected at least 3: 2 x maxTasks of all services (a 200% deployment) reserve 2048 MiB, 5120 cpu units; a t3.small holds 1683, 2048',
  ],
  [
    'a service named exec while ECS Exec is on: the session log group would be its log group',
    devWith({
      namePrefix: 'host-name-dev',
      services: { exec: dev.services!['host-name'] },
      operations: { ...dev.operations, exec: { enabled: true } },
    }),
    'environment "dev": services.exec = "exec" is not allowed; expected another service name while operations.exec is on: ECS Exec\'s session log group is /ecs/host-name-dev/exec',
  ],
  [
    'zero requests per target',
    devHostName({ scaling: { requestsPerTarget: 0 } }),
    'environment "dev": services.host-name.scaling.requestsPerTarget = 0 is not allowed; expected a number above 0',
  ],
  [
    'negative requests per target',
    devHostName({ scaling: { requestsPerTarget: -50 } }),
    'environment "dev": services.host-name.scaling.requestsPerTarget = -50 is not allowed; expected a number above 0',
  ],
  [
    'negative CPU target',
    devHostName({ scaling: { cpuTargetPercent: -5 } }),
    'environment "dev": services.host-name.scaling.cpuTargetPercent = -5 is not allowed; expected a whole number from 1 to 100',
  ],
  [
    'infinite scaling target',
    devHostName({ scaling: { requestsPerTarget: Infinity } }),
    'environment "dev": services.host-name.scaling.requestsPerTarget = Infinity is not allowed; expected a number above 0',
  ],

  // Deployments
  [
    'steady-state timeout too short for an instance to boot',
    devHostName({ deployment: { timeoutMinutes: 2 } }),
    'environment "dev": services.host-name.deployment.timeoutMinutes = 2 is not allowed; expected a whole number from 5 to 120',
  ],

  [
    'an unknown deployment strategy',
    microDeploy({ strategy: 'canary' as never }),
    'environment "microservices": services.posts.deployment.strategy = "canary" is not allowed; expected one of rolling, blue-green',
  ],
  [
    'a blue-green setting on a rolling service',
    microDeploy({ trafficShift: 'canary' }),
    'environment "microservices": services.posts.deployment.trafficShift = "canary" is not allowed; expected unset with strategy \'rolling\' (a blue-green setting)',
  ],
  [
    'blue-green on the default route',
    devHostName({ deployment: BG }),
    'environment "dev": services.host-name.routing.default = true is not allowed; expected a routed service (pathPatterns or hostHeaders) with strategy \'blue-green\': CodeDeploy moves its listener rule',
  ],
  [
    'blue-green with apply waiting for steady state',
    microDeploy({ ...BG, waitForSteadyState: true }),
    'environment "microservices": services.posts.deployment.waitForSteadyState = true is not allowed; expected false or unset with strategy \'blue-green\' (npm run release -- deploy waits)',
  ],
  [
    'blue-green without rollback on alarm',
    microDeploy({ ...BG, rollbackOnAlarm: false }),
    'environment "microservices": services.posts.deployment.rollbackOnAlarm = false is not allowed; expected true with strategy \'blue-green\' (an alarm must move traffic back)',
  ],
  [
    'an unknown traffic shift',
    microDeploy({ ...BG, trafficShift: 'gradual' as never }),
    'environment "microservices": services.posts.deployment.trafficShift = "gradual" is not allowed; expected one of all-at-once, canary, linear',
  ],
  [
    "a test listener on the ALB's own port",
    microDeploy({ ...BG, testListenerPort: 80, testListenerCidrs: ['203.0.113.0/24'] }),
    'environment "microservices": services.posts.deployment.testListenerPort = 80 is not allowed; expected a port other than the ALB\'s listeners (80, 443)',
  ],
  [
    'a test listener port beyond 65535',
    microDeploy({ ...BG, testListenerPort: 70000, testListenerCidrs: ['203.0.113.0/24'] }),
    'environment "microservices": services.posts.deployment.testListenerPort = 70000 is not allowed; expected a whole number from 1 to 65535',
  ],
  [
    'a test listener without CIDRs',
    microDeploy({ ...BG, testListenerPort: 8081 }),
    'environment "microservices": services.posts.deployment.testListenerCidrs = (unset) is not allowed; expected at least one CIDR with deployment.testListenerPort',
  ],
  [
    'test listener CIDRs without a port',
    microDeploy({ ...BG, testListenerCidrs: ['203.0.113.0/24'] }),
    'environment "microservices": services.posts.deployment.testListenerCidrs = ["203.0.113.0/24"] is not allowed; expected unset without deployment.testListenerPort',
  ],
  [
    'a test listener open to the internet',
    microDeploy({ ...BG, testListenerPort: 8081, testListenerCidrs: ['0.0.0.0/0'] }),
    'environment "microservices": services.posts.deployment.testListenerCidrs[0] = "0.0.0.0/0" is not allowed; expected a CIDR narrower than /0: the test listener serves a version not yet approved',
  ],
  [
    'a malformed test listener CIDR',
    microDeploy({ ...BG, testListenerPort: 8081, testListenerCidrs: ['203.0.113.0'] }),
    'environment "microservices": services.posts.deployment.testListenerCidrs[0] = "203.0.113.0" is not allowed; expected an IPv4 network CIDR such as 203.0.113.0/24',
  ],
  [
    "two services' test listeners on one port",
    microDeploy(
      { ...BG, testListenerPort: 8081, testListenerCidrs: ['203.0.113.0/24'] },
      { users: { ...BG, testListenerPort: 8081, testListenerCidrs: ['198.51.100.0/24'] } },
    ),
    'environment "microservices": services.users.deployment.testListenerPort = 8081 is not allowed; expected a port no other service\'s test listener takes (services.posts has it)',
  ],
  [
    'an approval wait longer than CodeDeploy keeps one',
    microDeploy({ ...BG, approvalWaitMinutes: 2881 }),
    'environment "microservices": services.posts.deployment.approvalWaitMinutes = 2881 is not allowed; expected a whole number from 1 to 2880',
  ],
  [
    'a negative blue termination wait',
    microDeploy({ ...BG, blueTerminationWaitMinutes: -1 }),
    'environment "microservices": services.posts.deployment.blueTerminationWaitMinutes = -1 is not allowed; expected a whole number from 0 to 2880',
  ],
  [
    "a blue-green service whose second target group's name is too long",
    microWith({ services: { ...micro.services!, threads: { ...micro.services!.threads, runsOn: 'ec2', deployment: BG } } }),
    'environment "microservices": services.threads = "threads" is not allowed; expected a shorter name: second target group "host-name-microservices-threads-g" has 33 characters, max 32',
  ],

  // Services on Fargate
  [
    "dev's 512 cpu with 512 MiB on Fargate",
    devHostName({ runsOn: 'fargate' }),
    'environment "dev": services.host-name.container.memoryMiB = 512 is not allowed; expected a memory Fargate allows with container.cpu 512: 1024-4096 in steps of 1024 MiB',
  ],
  [
    'a cpu Fargate has no task size for',
    microPosts({ container: { cpu: 384 } }),
    'environment "microservices": services.posts.container.cpu = 384 is not allowed; expected one of Fargate\'s task cpu values: 256, 512, 1024, 2048, 4096, 8192, 16384',
  ],
  [
    'a memory between two of Fargate 4096 cpu steps',
    microPosts({ container: { cpu: 4096, memoryMiB: 8500 } }),
    'environment "microservices": services.posts.container.memoryMiB = 8500 is not allowed; expected a memory Fargate allows with container.cpu 4096: 8192-30720 in steps of 1024 MiB',
  ],
  [
    'Fargate Spot: the drain and the stop longer than the 2-minute warning',
    microWith({
      services: { ...micro.services!, threads: patched(micro.services!.threads, { targetGroup: { deregistrationDelaySeconds: 100 } }) },
    }),
    'environment "microservices": services.threads.targetGroup.deregistrationDelaySeconds = 100 is not allowed; expected at most 90: with stopTimeoutSeconds 30, within Fargate Spot\'s 120 s warning',
  ],
  [
    'EC2 Spot: the drain and the stop of a service on the Spot group longer than the 2-minute notice',
    microWith({
      services: { ...micro.services!, users: patched(micro.services!.users, { targetGroup: { deregistrationDelaySeconds: 100 } }) },
    }),
    'environment "microservices": services.users.targetGroup.deregistrationDelaySeconds = 100 is not allowed; expected at most 90: with stopTimeoutSeconds 30, within EC2 Spot\'s 120 s warning',
  ],
  [
    'blue-green on Fargate',
    microPosts({ deployment: BG }),
    "environment \"microservices\": services.posts.deployment.strategy = \"blue-green\" is not allowed; expected 'rolling' with runsOn 'fargate' (blue-green is for runsOn 'ec2' only)",
  ],
  [
    'Fargate Spot with an arm64 image',
    microWith({ instanceType: 't4g.small', spot: { enabled: false }, services: micro.services }),
    'environment "microservices": services.threads.runsOn = "fargate-spot" is not allowed; expected \'ec2\' or \'fargate\' for an arm64 image (t4g.small): Fargate Spot runs x86_64 tasks only',
  ],
  [
    "a Fargate service's target group name taken by another service's",
    microWith({
      services: {
        ...micro.services!,
        'posts-ip': { ...micro.services!.users, deployment: undefined, routing: { pathPatterns: ['/reports*'] } },
      },
    }),
    'environment "microservices": services.posts-ip = "posts-ip" is not allowed; expected another name: its target group "host-name-microservices-posts-ip" is services.posts\'s',
  ],
  [
    'an unknown runsOn',
    microPosts({ runsOn: 'lambda' }),
    'environment "microservices": services.posts.runsOn = "lambda" is not allowed; expected one of ec2, fargate, fargate-spot',
  ],

  // Services: names, images, profiles
  ['no services', devWith({ services: {} }), 'environment "dev": services = [] is not allowed; expected at least one service'],
  [
    'service name with capitals',
    devWith({ services: { Users: micro.services!.posts } }),
    'environment "dev": services.Users = "Users" is not allowed; expected a service name of 1-32 lowercase letters, digits and inner hyphens',
  ],
  [
    'service name too long for its target group',
    devWith({ services: { 'host-name-frontends': micro.services!.posts } }),
    'environment "dev": services.host-name-frontends = "host-name-frontends" is not allowed; expected a shorter name: target group "host-name-dev-host-name-frontends" has 33 characters, max 32',
  ],
  [
    'service name that fits alone but not after the longest prefix',
    devWith({ namePrefix: 'x'.repeat(28), services: { web: micro.services!.threads, apis: micro.services!.posts } }),
    'environment "dev": services.apis = "apis" is not allowed; expected a shorter name: target group "xxxxxxxxxxxxxxxxxxxxxxxxxxxx-apis" has 33 characters, max 32',
  ],
  [
    'unknown runtime profile',
    devHostName({ profile: 'django' as never }),
    'environment "dev": services.host-name.profile = "django" is not allowed; expected one of spring-boot, generic',
  ],
  [
    'image with both a directory and a URI',
    devHostName({ image: { directory: 'workload', uri: 'r.example/a:1' } }),
    'environment "dev": services.host-name.image = {"directory":"workload","uri":"r.example/a:1"} is not allowed; expected exactly one of { directory } (built from source) or { uri }',
  ],
  [
    'image directory without a Dockerfile',
    devHostName({ image: { directory: 'constructs' } }),
    'environment "dev": services.host-name.image.directory = "constructs" is not allowed; expected a directory of this repository with a Dockerfile at its top',
  ],
  [
    'image without registry or tag',
    devHostName({ image: { uri: 'nginx' } }),
    'environment "dev": services.host-name.image.uri = "nginx" is not allowed; expected [registry/]repository:tag or [registry/]repository@sha256:<digest>, e.g. nginx:1.27 or ghcr.io/org/app:1',
  ],
  [
    'a public tag in production',
    prodWith({ services: { web: { ...prod.services!['host-name'], image: { uri: 'ghcr.io/o/app:1' } } } }),
    'environment "prod": services.web.image.uri = "ghcr.io/o/app:1" is not allowed; expected in production: a @sha256 digest, or private ECR (a pull-through cache mirrors public registries)',
  ],
  [
    'a Docker Hub name in production, refused as what it stands for',
    prodWith({ services: { web: { ...prod.services!['host-name'], image: { uri: 'nginx:1.27' } } } }),
    'environment "prod": services.web.image.uri = "docker.io/library/nginx:1.27" is not allowed; expected in production: a @sha256 digest, or private ECR (a pull-through cache mirrors public registries)',
  ],
  [
    'bad image URI in HOST_NAME_IMAGES',
    () => demoConfigs(['dev'], overridesFromEnv({ HOST_NAME_IMAGES: '{"host-name":"not-a-uri"}' })),
    'HOST_NAME_IMAGES["host-name"] = "not-a-uri" is not allowed; expected [registry/]repository:tag or [registry/]repository@sha256:<digest>, e.g. nginx:1.27 or ghcr.io/org/app:1',
  ],
  [
    'HOST_NAME_IMAGES not a JSON object',
    () => overridesFromEnv({ HOST_NAME_IMAGES: 'host-name=r.example/a:1' }),
    'HOST_NAME_IMAGES = "host-name=r.example/a:1" is not allowed; expected a JSON object of service name to image URI, e.g. {"host-name":"<registry>/<repository>@sha256:<digest>"}',
  ],
  [
    'target group health check path without a leading slash',
    devHostName({ targetGroup: { healthCheckPath: 'actuator/health' } }),
    'environment "dev": services.host-name.targetGroup.healthCheckPath = "actuator/health" is not allowed; expected a path starting with "/" and no spaces',
  ],
  [
    'target group health check interval too short',
    devHostName({ targetGroup: { healthCheckIntervalSeconds: 1 } }),
    'environment "dev": services.host-name.targetGroup.healthCheckIntervalSeconds = 1 is not allowed; expected a whole number from 5 to 300',
  ],

  // Secrets
  [
    'secret that is not an ARN',
    devSecret({ DB_PASSWORD: 'hunter2' }),
    'environment "dev": services.host-name.container.secrets.DB_PASSWORD = "hunter2" is not allowed; expected an SSM parameter or Secrets Manager ARN in us-east-1',
  ],
  [
    'secret ARN of another service',
    devSecret({ DB_PASSWORD: 'arn:aws:s3:::bucket/db-password' }),
    'environment "dev": services.host-name.container.secrets.DB_PASSWORD = "arn:aws:s3:::bucket/db-password" is not allowed; expected an SSM parameter or Secrets Manager ARN in us-east-1',
  ],
  [
    'secret ARN from another region',
    devSecret({ DB_PASSWORD: 'arn:aws:ssm:eu-west-1:123456789012:parameter/p' }),
    'environment "dev": services.host-name.container.secrets.DB_PASSWORD = "arn:aws:ssm:eu-west-1:123456789012:parameter/p" is not allowed; expected an SSM parameter or Secrets Manager ARN in us-east-1',
  ],
  [
    'secret name that is not a variable name',
    devSecret({ 'DB-PASSWORD': 'arn:aws:ssm:us-east-1:123456789012:parameter/p' }),
    'environment "dev": services.host-name.container.secrets = "DB-PASSWORD" is not allowed; expected variable names: letters, digits and underscores, not starting with a digit',
  ],
  [
    'secret also given as a plain variable',
    microWith({
      services: {
        ...micro.services,
        threads: {
          ...micro.services!.threads,
          container: { ...micro.services!.threads.container, environment: { DATABASE_PASSWORD: 'x' } },
        },
      },
    }),
    'environment "microservices": services.threads.container.environment.DATABASE_PASSWORD = "x" is not allowed; expected no plain variable of a name container.secrets has',
  ],
  [
    'KMS key from another region',
    devSecret(
      { DB_PASSWORD: 'arn:aws:ssm:us-east-1:123456789012:parameter/p' },
      'arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
    ),
    'environment "dev": services.host-name.container.secretsKmsKeyArn = "arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0" is not allowed; expected a KMS key ARN in us-east-1',
  ],
  [
    'KMS key without secrets',
    devSecret({}, 'arn:aws:kms:us-east-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0'),
    'environment "dev": services.host-name.container.secretsKmsKeyArn = "arn:aws:kms:us-east-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0" is not allowed; expected none without container.secrets',
  ],

  // Routes on the shared listener
  [
    'a service without a route',
    microRoute('posts', {}),
    'environment "microservices": services.posts.routing = {} is not allowed; expected pathPatterns or hostHeaders, or default: true',
  ],
  [
    'the same route twice',
    microRoute('posts', { pathPatterns: ['/users*'] }),
    `environment "microservices": services.users.routing = {"pathPatterns":["/users*"]} is not allowed; expected a route other than services.posts's (the same conditions)`,
  ],
  [
    'overlapping routes without explicit priorities',
    microRoute('posts', { pathPatterns: ['/users/*/posts*'] }),
    'environment "microservices": services.users.routing = {"pathPatterns":["/users*"]} is not allowed; expected no overlap with services.posts (/users/*/posts*) unless both set a priority',
  ],
  [
    'a host-header route overlapping path routes, without explicit priorities',
    () =>
      resolveEnvironment('microservices', {
        ...micro,
        services: {
          ...micro.services,
          users: { ...micro.services!.users, routing: { hostHeaders: ['*.example.com'] } },
          posts: { ...micro.services!.posts, routing: { hostHeaders: ['api.example.com'] } },
        },
      }),
    'environment "microservices": services.threads.routing = {"pathPatterns":["/threads*"]} is not allowed; expected no overlap with services.posts (api.example.com) unless both set a priority',
  ],
  [
    'duplicate priorities',
    () =>
      resolveEnvironment('microservices', {
        ...micro,
        services: {
          ...micro.services,
          users: { ...micro.services!.users, routing: { pathPatterns: ['/users*'], priority: 10 } },
          posts: { ...micro.services!.posts, routing: { pathPatterns: ['/posts*'], priority: 10 } },
        },
      }),
    'environment "microservices": services.users.routing.priority = 10 is not allowed; expected a priority other than services.posts\'s (both set 10): change one, or unset it to derive one',
  ],
  [
    'priority out of range',
    microRoute('posts', { pathPatterns: ['/posts*'], priority: 50001 }),
    'environment "microservices": services.posts.routing.priority = 50001 is not allowed; expected a whole number from 1 to 50000',
  ],
  [
    'two default services',
    microRoute('posts', { default: true }, { threads: { default: true } }),
    'environment "microservices": services.threads.routing.default = true is not allowed; expected at most one default service (services.posts is one)',
  ],
  [
    'a default service with a path pattern',
    microRoute('posts', { default: true, pathPatterns: ['/posts*'] }),
    'environment "microservices": services.posts.routing = {"default":true,"pathPatterns":["/posts*"]} is not allowed; expected a default service without pathPatterns, hostHeaders or priority',
  ],
  [
    'more conditions than one rule takes',
    microRoute('posts', { pathPatterns: ['/a*', '/b*', '/c*', '/d*'], hostHeaders: ['a.example.com', 'b.example.com'] }),
    'environment "microservices": services.posts.routing (pathPatterns + hostHeaders) = 6 is not allowed; expected at most 5 values (one listener rule)',
  ],
  [
    'path pattern without a leading slash',
    microRoute('posts', { pathPatterns: ['posts*'] }),
    'environment "microservices": services.posts.routing.pathPatterns[0] = "posts*" is not allowed; expected a path pattern starting with "/", at most 128 characters, * and ? as wildcards',
  ],
  [
    'more routed services than a listener takes rules',
    devWith({
      capacity: { min: 1, max: 100 },
      services: Object.fromEntries(
        Array.from({ length: 101 }, (_, i) => [
          `s${i}`,
          {
            image: { uri: IMAGE },
            routing: { pathPatterns: [`/s${i}*`] },
            container: { cpu: 128, memoryMiB: 128 },
            scaling: { maxTasks: 1 },
          },
        ]),
      ),
    }),
    'environment "dev": services = 101 is not allowed; expected at most 100 services on one ALB (AWS\'s "Target Groups per Application Load Balancer", not adjustable)',
  ],

  // Load balancer
  [
    'malformed certificate ARN',
    devWith({ loadBalancer: { certificateArn: 'arn:aws:acm:us-east-1:123:certificate/abc' } }),
    'environment "dev": loadBalancer.certificateArn = "arn:aws:acm:us-east-1:123:certificate/abc" is not allowed; expected an ACM certificate ARN in us-east-1',
  ],
  [
    'certificate from another region',
    devWith({ loadBalancer: { certificateArn: `arn:aws:acm:eu-west-1:123456789012:certificate/${CERT_ID}` } }),
    `environment "dev": loadBalancer.certificateArn = "arn:aws:acm:eu-west-1:123456789012:certificate/${CERT_ID}" is not allowed; expected an ACM certificate ARN in us-east-1`,
  ],
  [
    'ingress CIDR without a prefix',
    devWith({ loadBalancer: { ingressCidrs: ['203.0.113.7'] } }),
    'environment "dev": loadBalancer.ingressCidrs[0] = "203.0.113.7" is not allowed; expected an IPv4 network CIDR such as 0.0.0.0/0',
  ],
  [
    'no ingress CIDR',
    devWith({ loadBalancer: { ingressCidrs: [] } }),
    'environment "dev": loadBalancer.ingressCidrs = [] is not allowed; expected at least one CIDR',
  ],
  [
    'zero idle timeout',
    devWith({ loadBalancer: { idleTimeoutSeconds: 0 } }),
    'environment "dev": loadBalancer.idleTimeoutSeconds = 0 is not allowed; expected a whole number from 1 to 4000',
  ],

  // HTTPS: production, plain HTTP, domain, WAF, blocked paths
  [
    'production without HTTPS or allowPlainHttp',
    prodWith({ domain: undefined }),
    'environment "prod": domain = (unset) is not allowed; expected a domain or loadBalancer.certificateArn in a production environment, or allowPlainHttp: true',
  ],
  [
    'allowPlainHttp next to a domain',
    prodWith({ allowPlainHttp: true }),
    'environment "prod": allowPlainHttp = true is not allowed; expected false or unset with a domain or loadBalancer.certificateArn (HTTP then redirects to HTTPS)',
  ],
  [
    'allowPlainHttp next to a certificate',
    devWith({ loadBalancer: { certificateArn: CERT } }),
    'environment "dev": allowPlainHttp = true is not allowed; expected false or unset with a domain or loadBalancer.certificateArn (HTTP then redirects to HTTPS)',
  ],
  [
    'production given as a string',
    devWith({ production: 'yes' as unknown as boolean }),
    'environment "dev": production = "yes" is not allowed; expected true or false',
  ],
  [
    'domain with both a zone name and a zone id',
    prodWith({ domain: { zoneName: 'example.com', zoneId: 'Z0123456789ABCDEFGHIJ', recordName: 'example.com' } }),
    'environment "prod": domain = {"zoneName":"example.com","zoneId":"Z0123456789ABCDEFGHIJ"} is not allowed; expected exactly one of domain.zoneName and domain.zoneId',
  ],
  [
    'domain with neither zone name nor id',
    prodWith({ domain: { recordName: 'app.example.com' } }),
    'environment "prod": domain = {} is not allowed; expected exactly one of domain.zoneName and domain.zoneId',
  ],
  [
    'zone name with a trailing dot',
    prodWith({ domain: { zoneName: 'example.com.', recordName: 'app.example.com' } }),
    'environment "prod": domain.zoneName = "example.com." is not allowed; expected a lowercase DNS name without a trailing dot, such as example.com',
  ],
  [
    'zone id that is a name',
    prodWith({ domain: { zoneId: 'example.com', recordName: 'app.example.com' } }),
    'environment "prod": domain.zoneId = "example.com" is not allowed; expected a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ',
  ],
  [
    'record name in capitals',
    prodWith({ domain: { zoneName: 'example.com', recordName: 'App.example.com' } }),
    'environment "prod": domain.recordName = "App.example.com" is not allowed; expected a lowercase DNS name without a trailing dot or wildcard, such as app.example.com',
  ],
  [
    'wildcard record name',
    prodWith({ domain: { zoneName: 'example.com', recordName: '*.example.com' } }),
    'environment "prod": domain.recordName = "*.example.com" is not allowed; expected a lowercase DNS name without a trailing dot or wildcard, such as app.example.com',
  ],
  [
    'record name outside the zone',
    prodWith({ domain: { zoneName: 'example.com', recordName: 'app.example.org' } }),
    'environment "prod": domain.recordName = "app.example.org" is not allowed; expected example.com or a name inside it',
  ],
  [
    'record name that only ends like the zone',
    prodWith({ domain: { zoneName: 'example.com', recordName: 'myexample.com' } }),
    'environment "prod": domain.recordName = "myexample.com" is not allowed; expected example.com or a name inside it',
  ],
  [
    'record name too long for a certificate',
    prodWith({ domain: { zoneName: 'example.com', recordName: `${'a'.repeat(60)}.example.com` } }),
    `environment "prod": domain.recordName = "${'a'.repeat(60)}.example.com" is not allowed; expected at most 64 characters (an ACM certificate's first name)`,
  ],
  [
    'WAF rate limit below what WAF accepts',
    prodWith({ waf: { enabled: true, rateLimit: 5 } }),
    'environment "prod": waf.rateLimit = 5 is not allowed; expected requests per 5 minutes per IP, a whole number from 10 to 2000000000',
  ],
  [
    'WAF rate limit not a whole number',
    prodWith({ waf: { enabled: true, rateLimit: 100.5 } }),
    'environment "prod": waf.rateLimit = 100.5 is not allowed; expected requests per 5 minutes per IP, a whole number from 10 to 2000000000',
  ],
  [
    'WAF logging without the WAF',
    devWith({ waf: { logging: true } }),
    'environment "dev": waf.logging = true is not allowed; expected false or unset unless waf.enabled is true',
  ],
  [
    'six blocked paths',
    devWith({ loadBalancer: { blockedPaths: ['/a', '/b', '/c', '/d', '/e', '/f'] } }),
    'environment "dev": loadBalancer.blockedPaths = ["/a","/b","/c","/d","/e","/f"] is not allowed; expected at most 5 path patterns (one listener rule)',
  ],
  [
    'blocked path without a leading slash',
    devWith({ loadBalancer: { blockedPaths: ['actuator*'] } }),
    'environment "dev": loadBalancer.blockedPaths[0] = "actuator*" is not allowed; expected a path pattern starting with "/", at most 128 characters, * and ? as wildcards',
  ],
  [
    "a service at the blocked-paths rule's priority",
    microRoute('users', { pathPatterns: ['/users*'], priority: 1 }),
    'environment "microservices": services.users.routing.priority = 1 is not allowed; expected a priority other than 1 (the loadBalancer.blockedPaths rule has it)',
  ],

  // Names, logs, image, state, tags
  [
    'unknown environment on the command line',
    () => demoConfigs(['stage']),
    'environment "stage": name = "stage" is not allowed; expected one of dev, prod, microservices',
  ],
  [
    'environment name with capitals',
    () => resolveEnvironment('Dev', dev),
    'environment "Dev": name = "Dev" is not allowed; expected lowercase letters, digits and hyphens, at most 16 characters',
  ],
  [
    'name prefix ECS reserves for capacity providers (ecs)',
    devWith({ namePrefix: 'ecs-demo' }),
    'environment "dev": namePrefix = "ecs-demo" is not allowed; expected a prefix not starting with aws, ecs, fargate (ECS reserves them for capacity provider names)',
  ],
  [
    'name prefix ECS reserves for capacity providers (aws)',
    devWith({ namePrefix: 'awsome-app' }),
    'environment "dev": namePrefix = "awsome-app" is not allowed; expected a prefix not starting with aws, ecs, fargate (ECS reserves them for capacity provider names)',
  ],
  [
    'name prefix ECS reserves for capacity providers (fargate)',
    devWith({ namePrefix: 'fargate-test' }),
    'environment "dev": namePrefix = "fargate-test" is not allowed; expected a prefix not starting with aws, ecs, fargate (ECS reserves them for capacity provider names)',
  ],
  [
    "ALB idle timeout at the app's keep-alive (502s)",
    devWith({ loadBalancer: { idleTimeoutSeconds: 75 } }),
    'environment "dev": loadBalancer.idleTimeoutSeconds = 75 is not allowed; expected less than 75: services.host-name (spring-boot) keeps idle connections 75 s, and an ALB that outlasts it gets 502s',
  ],
  [
    'malformed AMI id',
    devWith({ amiId: 'ami-12345' }),
    'environment "dev": amiId = "ami-12345" is not allowed; expected an AMI id: ami- and 8 or 17 hexadecimal digits',
  ],
  [
    'malformed NAT AMI id',
    devWith({ natInstance: { amiId: 'ami-XYZ' } }),
    'environment "dev": natInstance.amiId = "ami-XYZ" is not allowed; expected an AMI id: ami- and 8 or 17 hexadecimal digits',
  ],
  [
    'capacity provider target above 100',
    devWith({ capacity: { min: 1, max: 2, targetCapacityPercent: 110 } }),
    'environment "dev": capacity.targetCapacityPercent = 110 is not allowed; expected a whole number from 1 to 100',
  ],
  [
    'empty name prefix',
    devWith({ namePrefix: '' }),
    'environment "dev": namePrefix = "" is not allowed; expected 1-28 lowercase letters, digits and inner hyphens (ALB names max 32)',
  ],
  [
    'name prefix too long for ALB names',
    devWith({ namePrefix: 'host-name-development-eu-west1' }),
    'environment "dev": namePrefix = "host-name-development-eu-west1" is not allowed; expected 1-28 lowercase letters, digits and inner hyphens (ALB names max 32)',
  ],
  [
    'log retention CloudWatch refuses',
    devWith({ logRetentionDays: 10 }),
    'environment "dev": logRetentionDays = 10 is not allowed; expected a CloudWatch retention: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827 ... 3653',
  ],
  [
    'untagged images expiring at once',
    devWith({ image: { untaggedImageDays: 0 } }),
    'environment "dev": image.untaggedImageDays = 0 is not allowed; expected a whole number from 1 to 3650',
  ],
  [
    'bad state bucket from HOST_NAME_STATE_BUCKET',
    () => demoConfigs(['prod'], overridesFromEnv({ HOST_NAME_STATE_BUCKET: 'My_State' })),
    'environment "prod": state.bucket = "My_State" is not allowed; expected an S3 bucket name: 3-63 lowercase letters, digits, dots, hyphens',
  ],
  [
    'bad state region',
    () => demoConfigs(['prod'], { stateBucket: 'my-state', stateRegion: 'europe' }),
    'environment "prod": state.region = "europe" is not allowed; expected an AWS region such as us-east-1',
  ],
  [
    'reserved tag prefix',
    devWith({ tags: { 'aws:owner': 'me' } }),
    'environment "dev": tags.aws:owner = "me" is not allowed; expected a key of 1-128 characters not starting with "aws:" and a value of at most 256',
  ],
  // Operations (operations/settings.ts)
  [
    'load balancer 5xx percentage of 0',
    devWith({ operations: { alarms: { loadBalancer5xxPercent: 0 } } }),
    'environment "dev": operations.alarms.loadBalancer5xxPercent = 0 is not allowed; expected a percentage above 0, at most 100',
  ],
  [
    'negative minimum requests',
    devWith({ operations: { alarms: { minimumRequestsPerMinute: -1 } } }),
    'environment "dev": operations.alarms.minimumRequestsPerMinute = -1 is not allowed; expected a whole number from 0 to 1000000',
  ],
  [
    'capacity alarm longer than a day',
    devWith({ operations: { alarms: { capacityShortMinutes: 1441 } } }),
    'environment "dev": operations.alarms.capacityShortMinutes = 1441 is not allowed; expected a whole number from 1 to 1440',
  ],
  [
    'target 5xx above 100%',
    devWith({ operations: { alarms: { target5xxPercent: 101 } } }),
    'environment "dev": operations.alarms.target5xxPercent = 101 is not allowed; expected a percentage above 0, at most 100',
  ],
  [
    'latency of 0 seconds',
    devWith({ operations: { alarms: { p99LatencySeconds: 0 } } }),
    'environment "dev": operations.alarms.p99LatencySeconds = 0 is not allowed; expected seconds above 0, at most 4000 (the ALB idle timeout limit)',
  ],
  [
    'CPU percentage not a number',
    devWith({ operations: { alarms: { cpuPercent: NaN } } }),
    'environment "dev": operations.alarms.cpuPercent = NaN is not allowed; expected a percentage above 0, at most 1000',
  ],
  [
    'memory above 100%',
    devWith({ operations: { alarms: { memoryPercent: 120 } } }),
    'environment "dev": operations.alarms.memoryPercent = 120 is not allowed; expected a percentage above 0, at most 100',
  ],
  [
    'fractional evaluation minutes',
    devWith({ operations: { alarms: { evaluationMinutes: 2.5 } } }),
    'environment "dev": operations.alarms.evaluationMinutes = 2.5 is not allowed; expected a whole number from 1 to 1440',
  ],
  [
    'unhealthy host minutes of 0',
    devWith({ operations: { alarms: { unhealthyHostMinutes: 0 } } }),
    'environment "dev": operations.alarms.unhealthyHostMinutes = 0 is not allowed; expected a whole number from 1 to 1440',
  ],
  [
    'tasks-below-desired minutes of 0, for one service',
    devWith({ operations: { alarms: { services: { 'host-name': { tasksBelowDesiredMinutes: 0 } } } } }),
    'environment "dev": operations.alarms.services.host-name.tasksBelowDesiredMinutes = 0 is not allowed; expected a whole number from 1 to 1440',
  ],
  [
    'alarm overrides for a service the environment does not have',
    microWith({ operations: { alarms: { services: { orders: { cpuPercent: 80 } } } } }),
    'environment "microservices": operations.alarms.services = "orders" is not allowed; expected names of this environment\'s services (posts, threads, users)',
  ],
  [
    'not an email address',
    devWith({ operations: { notifications: { emails: ['oncall'] } } }),
    'environment "dev": operations.notifications.emails[0] = "oncall" is not allowed; expected an email address',
  ],
  [
    'the same email twice',
    devWith({ operations: { notifications: { emails: ['a@example.com', 'a@example.com'] } } }),
    'environment "dev": operations.notifications.emails = ["a@example.com","a@example.com"] is not allowed; expected no endpoint twice',
  ],
  [
    'an http:// subscription',
    devWith({ operations: { notifications: { httpsUrls: ['http://hooks.example.com/x'] } } }),
    'environment "dev": operations.notifications.httpsUrls[0] = "http://hooks.example.com/x" is not allowed; expected an https:// URL',
  ],
];

const MAX_MESSAGE = 200;

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

describe('bad input is rejected with one exact, short message', () => {
  test('the table covers enough ground', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });

  test.each(CASES)('%s', (_, run, message) => {
    const error = thrown(run);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(message);
    expect(message).not.toContain('\n');
  });

  test(`messages fit in ${MAX_MESSAGE} characters`, () => {
    const long = CASES.filter(([, , message]) => message.length > MAX_MESSAGE).map(([what]) => what);
    expect(long).toEqual([]);
  });
});

describe('which environments are requested', () => {
  test('command-line names win over HOST_NAME_ENVS', () => {
    expect(requestedEnvironments(['dev'], { HOST_NAME_ENVS: 'prod' })).toEqual(['dev']);
  });

  test('HOST_NAME_ENVS is a comma list; blanks are dropped', () => {
    expect(requestedEnvironments([], { HOST_NAME_ENVS: ' dev , prod ,' })).toEqual(['dev', 'prod']);
    expect(requestedEnvironments(['', ' '], { HOST_NAME_ENVS: 'prod' })).toEqual(['prod']);
  });

  test('nothing requested means the defaults, and a repeated name means one stack', () => {
    expect(requestedEnvironments([], {})).toEqual([]);
    expect(selectEnvironments([]).map((c) => c.name)).toEqual([...new Set(DEFAULT_ENVIRONMENTS)]);
    expect(demoConfigs(['prod', 'prod']).map((c) => c.name)).toEqual(['prod']);
  });

  test('an unknown name in HOST_NAME_ENVS is rejected like one on the command line', () => {
    expect(() => demoConfigs(requestedEnvironments([], { HOST_NAME_ENVS: 'dev,stage' }))).toThrow(
      new ConfigError('stage', 'name', 'stage', 'one of dev, prod, microservices'),
    );
  });

  test('a valid selection still synthesizes, with the override applied', () => {
    const configs = demoConfigs(['prod'], overridesFromEnv({ HOST_NAME_IMAGES: JSON.stringify({ 'host-name': IMAGE }) }));
    const [stack] = addEnvironmentStacks(Testing.app(), configs);
    const json = JSON.parse(Testing.synth(stack));
    expect(stack.node.id).toBe('host-name-prod');
    const [task] = Object.values<{ container_definitions: string }>(json.resource.aws_ecs_task_definition);
    expect(JSON.parse(task.container_definitions)[0].image).toBe(IMAGE);
    expect(json.resource.aws_ecr_repository).toBeUndefined();
  });
});

describe('the CLI (main.ts)', () => {
  const root = resolve(__dirname, '..');
  // main.ts reads src/environments.ts: the names, services and messages here follow whatever it holds.
  const NAMES = Object.keys(ENVIRONMENTS);
  const SERVICES = [...new Set(Object.values(ENVIRONMENTS).flatMap((e) => Object.keys(e.services ?? DEFAULT_SERVICES)))].sort();
  const UNKNOWN = 'no-such-env';
  /** What main.ts refuses an unknown name with (resolveNames, which stacks.test.ts holds to its wording). */
  const unknownMessage = (() => {
    try {
      resolveNames([UNKNOWN]);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error(`${UNKNOWN} is an environment`);
  })();
  /** A default environment (what CI deploys), and one named on the command line only when there is one. */
  const DEPLOYED = DEFAULT_ENVIRONMENTS[0] ?? NAMES[0];
  const NAMED = NAMES.find((n) => !DEFAULT_ENVIRONMENTS.includes(n)) ?? DEPLOYED;
  /** Every built service of `name` mapped to IMAGE: the pipeline's override. */
  const imagesOf = (name: string) =>
    JSON.stringify(
      Object.fromEntries(
        selectEnvironments([name])[0]
          .services.filter((s) => s.image.kind === 'build')
          .map((s) => [s.name, IMAGE]),
      ),
    );
  /** Environment names whose stack directory is among `files`. */
  const written = (files: string[]) => NAMES.filter((n) => files.some((f) => f.split(/[\\/]/).includes(environmentStackName(n))));

  test('the unknown name is refused naming every environment', () => {
    expect(unknownMessage).toMatch(new RegExp(`^environment "${UNKNOWN}": name = "${UNKNOWN}" is not allowed; expected .*one of `));
    for (const name of NAMES) expect(unknownMessage).toContain(name);
  });

  /** Runs main.ts as `npm run synth` does (tools/synth/run.js), in an empty temporary directory, with CDKTF_OUTDIR inside it; returns what it left behind. */
  function runCli(args: string[], env: Record<string, string>) {
    const cwd = mkdtempSync(join(tmpdir(), 'host-name-cli-'));
    const inherited = Object.entries(process.env).filter(([k]) => !k.startsWith('HOST_NAME_') && k !== 'CDKTF_OUTDIR');
    try {
      const run = spawnSync(process.execPath, [join(root, 'tools', 'synth', 'run.js'), ...args], {
        cwd,
        env: { ...Object.fromEntries(inherited), CDKTF_OUTDIR: join(cwd, 'out'), ...env },
        encoding: 'utf8',
      });
      const files = readdirSync(cwd, { recursive: true }).map(String).sort();
      return { status: run.status, stdout: run.stdout, stderr: run.stderr, files };
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }

  const FAILURES: readonly (readonly [string, string[], Record<string, string>, string])[] = [
    ['unknown environment argument', [UNKNOWN], {}, unknownMessage],
    ['unknown environment in HOST_NAME_ENVS', [], { HOST_NAME_ENVS: UNKNOWN }, unknownMessage],
    [
      'a bad URI in HOST_NAME_IMAGES',
      [],
      { HOST_NAME_IMAGES: JSON.stringify({ [SERVICES[0]]: 'not-a-uri' }) },
      `HOST_NAME_IMAGES["${SERVICES[0]}"] = "not-a-uri" is not allowed; expected [registry/]repository:tag or [registry/]repository@sha256:<digest>, e.g. nginx:1.27 or ghcr.io/org/app:1`,
    ],
    [
      'malformed JSON in HOST_NAME_IMAGES',
      [],
      { HOST_NAME_IMAGES: '{"host-name":' },
      'HOST_NAME_IMAGES = "{\\"host-name\\":" is not allowed; expected a JSON object of service name to image URI, e.g. {"host-name":"<registry>/<repository>@sha256:<digest>"}',
    ],
    [
      'an unknown service in HOST_NAME_IMAGES',
      [],
      { HOST_NAME_IMAGES: JSON.stringify({ 'no-such-service': IMAGE }) },
      `HOST_NAME_IMAGES["no-such-service"] = "${IMAGE}" is not allowed; expected a key naming a service of an environment: one of ${SERVICES.join(', ')}`,
    ],
    [
      'bad HOST_NAME_STATE_BUCKET',
      [DEPLOYED],
      { HOST_NAME_STATE_BUCKET: 'My_State' },
      `environment "${DEPLOYED}": state.bucket = "My_State" is not allowed; expected an S3 bucket name: 3-63 lowercase letters, digits, dots, hyphens`,
    ],
  ];

  test.each(FAILURES)(
    '%s: exit 2, one line on stderr, no stack trace, no files',
    (_, args, env, message) => {
      const result = runCli(args, env);
      expect(result).toEqual({ status: 2, stdout: '', stderr: `error: ${message}\n`, files: [] });
    },
    60_000,
  );

  test('an environment named on the command line is the only one written', () => {
    const result = runCli([NAMED], {});
    expect(result.status).toBe(0);
    expect(result.files).toContain(join('out', 'stacks', environmentStackName(NAMED), 'cdk.tf.json'));
    expect(written(result.files)).toEqual([NAMED]);
  }, 60_000);

  test('a valid selection with the pipeline images writes only its own stack', () => {
    const result = runCli([DEPLOYED], { HOST_NAME_IMAGES: imagesOf(DEPLOYED) });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.files).toContain(join('out', 'stacks', environmentStackName(DEPLOYED), 'cdk.tf.json'));
    expect(written(result.files)).toEqual([DEPLOYED]);
  }, 60_000);

  test('the check of what was written tells environments apart by whole directory names', () => {
    const files = [
      join('out', 'stacks', `${environmentStackName(DEPLOYED)}x`, 'cdk.tf.json'),
      join('out', 'stacks', environmentStackName(NAMED)),
    ];
    expect(written(files)).toEqual([NAMED]);
  });
});
