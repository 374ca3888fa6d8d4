/**
 * Services of an environment: defaults (with the runtime profile applied), validation of each
 * service, of the routes they share on one listener, of the names AWS limits, and of whether
 * all of them fit the instances. Called by resolveEnvironment (environment/resolve.ts).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  BlueGreenConfig,
  DEPLOYMENT_STRATEGIES,
  RUNTIME_PROFILES,
  RUNS_ON,
  RunsOn,
  RuntimeProfile,
  SERVICE_DEFAULTS,
  ServiceConfig,
  ServiceSettings,
  TRAFFIC_SHIFTS,
  TrafficShift,
} from './settings';
import { PATH_PATTERN, wildcardCount } from '../edge/resolve';
import { ALB_QUOTAS } from '../edge/settings';
import { blueGreenNames, fargateNames, serviceLogGroupName, serviceResourceName, serviceTargetGroupName } from '../shared/names';
import { parseCidr } from '../shared/cidr';
import { withDefaults } from '../shared/defaults';
import { fnv1a } from '../shared/hash';
import { NAME, Validator } from '../shared/validator';
import {
  DEFAULT_CPU_TARGET_PERCENT,
  defaultCpuTargetPercent,
  INSTANCE_TYPES,
  InstanceTypeSpec,
  tasksPerInstance,
} from '../compute/instance-types';
import { checkFargateSize, checkInterruptionBudget, isFargate } from './fargate';
import { smallestSpec } from '../compute/resolve';
import { CONTAINER_HEALTH_CHECK_TIMING, RUNTIME_PROFILE_DEFAULTS } from './runtime-profiles';
import { IMAGE_REFERENCE_FORMS, parseImageReference } from './image-reference';
import { resolveFilesystem } from './container-filesystem';

/** Where `image.directory` is resolved from. */
export const REPOSITORY_ROOT = resolve(__dirname, '..', '..');

/** A rolling deployment runs up to this percentage of the desired tasks (the service's deployment_maximum_percent). */
export const DEPLOYMENT_MAXIMUM_PERCENT = 200;

/** Derived priorities fall in 1000-49999, leaving 1-999 and 50000 for explicit ones. */
const DERIVED_PRIORITY = { from: 1000, count: 49000 } as const;

const ECR_REPOSITORY = /^[a-z0-9]+([._\/-][a-z0-9]+)*$/;
const HOST_HEADER = /^[A-Za-z0-9*?]([A-Za-z0-9.*?-]{0,126}[A-Za-z0-9*?])?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What the services are checked against. */
export interface ServiceContext {
  readonly environment: string;
  readonly namePrefix: string;
  readonly region: string;
  readonly instanceType: string;
  /** What the fit check sizes against: the table's, or the environment's instanceSpec. */
  readonly instanceSpec: InstanceTypeSpec;
  /** Undefined: the family's default. */
  readonly cpuCredits?: string;
  readonly reservedMemoryMiB: number;
  readonly capacity: { readonly max: number };
  /** With Spot, tasks may land on any of its instance types too. @default on-demand only */
  readonly spot?: { readonly enabled: boolean; readonly instanceTypes: readonly string[] };
}

/** The instance types an EC2 service's tasks may run on: instanceType, and with Spot its group's types. */
function taskInstanceTypes(ctx: ServiceContext): string[] {
  return ctx.spot?.enabled ? [ctx.instanceType, ...ctx.spot.instanceTypes.filter((t) => t !== ctx.instanceType)] : [ctx.instanceType];
}

/** What tasks are sized against: instanceType, or with Spot the smallest of it and the Spot types in each dimension (vCPUs, memory). */
function fitSize(ctx: ServiceContext): { spec: InstanceTypeSpec; label: string } {
  const types = taskInstanceTypes(ctx);
  const spec = smallestSpec([ctx.instanceSpec, ...types.slice(1).map((t) => INSTANCE_TYPES[t])]);
  const own = spec.vcpus === ctx.instanceSpec.vcpus && spec.registeredMemoryMiB === ctx.instanceSpec.registeredMemoryMiB;
  return { spec: own ? ctx.instanceSpec : spec, label: own ? ctx.instanceType : 'the smallest type' };
}

/** The ALB's own listener ports (HTTP, HTTPS): a test listener takes another. */
export const LISTENER_PORTS: readonly number[] = [80, 443];

/** CodeDeploy's limit on deploymentReadyOption and terminationWaitTimeInMinutes waits (two days). */
export const CODEDEPLOY_MAX_WAIT_MINUTES = 2880;

/**
 * Physical names AWS limits, per service: checked at synth for the environment's prefix. The
 * construct builds the same names from `serviceResourceName` (and `blueGreenNames` for a blue-green service).
 */
export function serviceNameLimits(
  namePrefix: string,
  service: string,
  blueGreen = false,
  fargate = false,
): readonly (readonly [string, string, number])[] {
  const bg = blueGreenNames(namePrefix, service);
  return [
    ['target group', serviceResourceName(namePrefix, service), 32],
    // A Fargate service's target group has IP targets under a name of its own (target_type forces a new group).
    ...(fargate ? ([['target group', fargateNames(namePrefix, service).targetGroup, 32]] as const) : []),
    ['IAM role', serviceResourceName(namePrefix, service, 'execution'), 64],
    ['scaling policy', serviceResourceName(namePrefix, service, 'requests-per-target'), 256],
    ['task family', serviceResourceName(namePrefix, service), 255],
    ['log group', serviceLogGroupName(namePrefix, service), 512],
    ...(blueGreen
      ? ([
          ['second target group', bg.alternateTargetGroup, 32],
          ['IAM role', bg.codeDeployRole, 64],
          ['CodeDeploy application', bg.application, 100],
          ['CodeDeploy deployment group', bg.deploymentGroup, 100],
        ] as const)
      : []),
  ];
}

export { serviceResourceName } from '../shared/names';

/** Resolves and validates every service, then the routes and the fit across all of them. In name order. */
export function resolveServices(v: Validator, ctx: ServiceContext, settings: Readonly<Record<string, ServiceSettings>>): ServiceConfig[] {
  const names = Object.keys(settings).sort();
  v.check('services', names, names.length > 0, 'at least one service');
  // Each service has a target group on the one ALB.
  v.check(
    'services',
    names.length,
    names.length <= ALB_QUOTAS.targetGroupsPerLoadBalancer,
    `at most ${ALB_QUOTAS.targetGroupsPerLoadBalancer} services on one ALB (AWS's "Target Groups per Application Load Balancer", not adjustable)`,
  );
  const services = assignPriorities(names.map((name) => resolveService(v, ctx, name, settings[name])));
  checkTargetGroups(v, services);
  checkTargetGroupNames(v, ctx, services);
  checkTestListeners(v, services);
  checkRoutes(v, services, (name) => settings[name].routing?.priority !== undefined);
  checkFit(v, ctx, services);
  return services;
}

function resolveService(v: Validator, ctx: ServiceContext, name: string, s: ServiceSettings): ServiceConfig {
  const at = `services.${name}`;
  v.check(at, name, NAME.test(name) && name.length <= 32, 'a service name of 1-32 lowercase letters, digits and inner hyphens');
  const blueGreen = s.deployment?.strategy === 'blue-green';
  const runsOn = s.runsOn ?? SERVICE_DEFAULTS.runsOn;
  v.check(`${at}.runsOn`, runsOn, RUNS_ON.includes(runsOn), `one of ${RUNS_ON.join(', ')}`);
  for (const [what, physical, max] of serviceNameLimits(ctx.namePrefix, name, blueGreen, isFargate(runsOn))) {
    v.check(at, name, physical.length <= max, `a shorter name: ${what} "${physical}" has ${physical.length} characters, max ${max}`);
  }
  // CodeDeploy's AppSpec for an awsvpc service must carry its network configuration, which `release -- deploy` does not build.
  v.check(
    `${at}.deployment.strategy`,
    s.deployment?.strategy,
    !(blueGreen && isFargate(runsOn)),
    `'rolling' with runsOn '${runsOn}' (blue-green is for runsOn 'ec2' only)`,
  );
  // The image is built for the instances' architecture; Fargate Spot runs X86_64 tasks only.
  v.check(
    `${at}.runsOn`,
    runsOn,
    !(runsOn === 'fargate-spot' && ctx.instanceSpec.architecture !== 'x86_64'),
    `'ec2' or 'fargate' for an ${ctx.instanceSpec.architecture} image (${ctx.instanceType}): Fargate Spot runs x86_64 tasks only`,
  );
  const profile = s.profile ?? SERVICE_DEFAULTS.profile;
  v.check(`${at}.profile`, profile, RUNTIME_PROFILES.includes(profile), `one of ${RUNTIME_PROFILES.join(', ')}`);
  const defaults = RUNTIME_PROFILE_DEFAULTS[profile];

  const image = resolveImage(v, ctx, name, s.image);
  const container = resolveContainer(v, ctx, at, s, defaults, runsOn);
  const targetGroup = {
    healthCheckPath: s.targetGroup?.healthCheckPath ?? defaults.healthCheckPath,
    healthCheckIntervalSeconds: s.targetGroup?.healthCheckIntervalSeconds ?? SERVICE_DEFAULTS.targetGroup.healthCheckIntervalSeconds,
    healthyThreshold: s.targetGroup?.healthyThreshold ?? SERVICE_DEFAULTS.targetGroup.healthyThreshold,
    unhealthyThreshold: s.targetGroup?.unhealthyThreshold ?? SERVICE_DEFAULTS.targetGroup.unhealthyThreshold,
    deregistrationDelaySeconds: s.targetGroup?.deregistrationDelaySeconds ?? SERVICE_DEFAULTS.targetGroup.deregistrationDelaySeconds,
  };
  v.check(
    `${at}.targetGroup.healthCheckPath`,
    targetGroup.healthCheckPath,
    /^\/[\x21-\x7e]{0,1023}$/.test(targetGroup.healthCheckPath),
    'a path starting with "/" and no spaces',
  );
  v.integer(`${at}.targetGroup.healthCheckIntervalSeconds`, targetGroup.healthCheckIntervalSeconds, 5, 300);
  v.integer(`${at}.targetGroup.healthyThreshold`, targetGroup.healthyThreshold, 2, 10);
  v.integer(`${at}.targetGroup.unhealthyThreshold`, targetGroup.unhealthyThreshold, 2, 10);
  v.integer(`${at}.targetGroup.deregistrationDelaySeconds`, targetGroup.deregistrationDelaySeconds, 0, 3600);
  const spot = runsOn === 'fargate-spot' ? 'Fargate Spot' : runsOn === 'ec2' && ctx.spot?.enabled ? 'EC2 Spot' : undefined;
  if (spot) checkInterruptionBudget(v, at, spot, targetGroup.deregistrationDelaySeconds, container.stopTimeoutSeconds);

  return {
    name,
    runsOn,
    profile,
    image,
    routing: resolveRouting(v, at, s),
    container,
    targetGroup,
    scaling: resolveScaling(v, ctx, at, s, runsOn),
    deployment: resolveDeployment(v, at, s),
  };
}

function resolveImage(
  v: Validator,
  ctx: ServiceContext,
  name: string,
  image: ServiceSettings['image'] | undefined,
): ServiceConfig['image'] {
  const at = `services.${name}`;
  const given = image ?? {};
  const one = (given.directory === undefined) !== (given.uri === undefined);
  v.check(`${at}.image`, image, one, 'exactly one of { directory } (built from source) or { uri }');
  if (given.uri !== undefined) {
    const reference = parseImageReference(given.uri);
    v.check(`${at}.image.uri`, given.uri, reference !== undefined, IMAGE_REFERENCE_FORMS);
    return { kind: 'uri', uri: reference!.uri };
  }
  const directory = resolve(REPOSITORY_ROOT, given.directory!);
  v.check(
    `${at}.image.directory`,
    given.directory,
    existsSync(join(directory, 'Dockerfile')),
    'a directory of this repository with a Dockerfile at its top',
  );
  const repositoryName = given.repositoryName ?? serviceResourceName(ctx.namePrefix, name);
  v.check(
    `${at}.image.repositoryName`,
    repositoryName,
    ECR_REPOSITORY.test(repositoryName) && repositoryName.length <= 256,
    'an ECR repository name: lowercase letters, digits and . _ - / separators',
  );
  return { kind: 'build', directory, repositoryName };
}

function resolveContainer(
  v: Validator,
  ctx: ServiceContext,
  at: string,
  s: ServiceSettings,
  defaults: (typeof RUNTIME_PROFILE_DEFAULTS)[RuntimeProfile],
  runsOn: RunsOn,
): ServiceConfig['container'] {
  const c = s.container ?? {};
  const memoryMiB = c.memoryMiB ?? SERVICE_DEFAULTS.container.memoryMiB;
  const sized = {
    port: c.port ?? SERVICE_DEFAULTS.container.port,
    cpu: c.cpu ?? SERVICE_DEFAULTS.container.cpu,
    memoryMiB,
    memoryReservationMiB: c.memoryReservationMiB ?? memoryMiB,
  };
  v.integer(`${at}.container.port`, sized.port, 1, 65535);
  if (isFargate(runsOn)) checkFargateSize(v, at, sized.cpu, sized.memoryMiB);
  else checkInstanceSize(v, ctx, at, sized);
  v.integer(
    `${at}.container.memoryReservationMiB`,
    sized.memoryReservationMiB,
    64,
    sized.memoryMiB,
    `64 to container.memoryMiB (${sized.memoryMiB}) MiB`,
  );
  return {
    ...sized,
    ...resolveContainerRest(v, ctx, at, c, defaults, sized),
  };
}

/** An EC2 task must fit one instance, less what the OS and agent reserve. */
function checkInstanceSize(v: Validator, ctx: ServiceContext, at: string, sized: { cpu: number; memoryMiB: number }): void {
  const { spec, label } = fitSize(ctx);
  const ceiling = spec.registeredMemoryMiB - ctx.reservedMemoryMiB;
  v.integer(
    `${at}.container.cpu`,
    sized.cpu,
    128,
    spec.vcpus * 1024,
    `cpu units from 128 to ${spec.vcpus * 1024} (${label} has ${spec.vcpus} vCPU)`,
  );
  v.integer(
    `${at}.container.memoryMiB`,
    sized.memoryMiB,
    128,
    ceiling,
    `128 to ${ceiling} MiB: ${label} registers ${spec.registeredMemoryMiB} MiB, less ${ctx.reservedMemoryMiB} reserved for the OS and agent`,
  );
}

/** Everything of the container but its port and sizes. */
function resolveContainerRest(
  v: Validator,
  ctx: ServiceContext,
  at: string,
  c: NonNullable<ServiceSettings['container']>,
  defaults: (typeof RUNTIME_PROFILE_DEFAULTS)[RuntimeProfile],
  sized: { port: number; cpu: number; memoryMiB: number; memoryReservationMiB: number },
): Omit<ServiceConfig['container'], 'port' | 'cpu' | 'memoryMiB' | 'memoryReservationMiB'> {
  const configured = c.environment ?? {};
  const secrets = c.secrets ?? {};
  for (const [group, names] of [
    ['environment', Object.keys(configured)],
    ['secrets', Object.keys(secrets)],
  ] as const) {
    for (const key of names) {
      v.check(
        `${at}.container.${group}`,
        key,
        ENV_NAME.test(key),
        'variable names: letters, digits and underscores, not starting with a digit',
      );
    }
  }
  for (const key of Object.keys(secrets)) {
    v.check(
      `${at}.container.environment.${key}`,
      configured[key],
      !(key in configured),
      'no plain variable of a name container.secrets has',
    );
    v.check(
      `${at}.container.secrets.${key}`,
      secrets[key],
      secretArn(ctx.region).test(secrets[key]),
      `an SSM parameter or Secrets Manager ARN in ${ctx.region}`,
    );
  }
  if (c.secretsKmsKeyArn !== undefined) {
    const key = new RegExp(`^arn:aws[a-z-]*:kms:${ctx.region}:\\d{12}:key/(mrk-)?[0-9a-f-]{32,36}$`);
    v.check(`${at}.container.secretsKmsKeyArn`, c.secretsKmsKeyArn, key.test(c.secretsKmsKeyArn), `a KMS key ARN in ${ctx.region}`);
    v.check(`${at}.container.secretsKmsKeyArn`, c.secretsKmsKeyArn, Object.keys(secrets).length > 0, 'none without container.secrets');
  }

  const stopTimeoutSeconds = c.stopTimeoutSeconds ?? SERVICE_DEFAULTS.container.stopTimeoutSeconds;
  v.integer(`${at}.container.stopTimeoutSeconds`, stopTimeoutSeconds, 2, 120);
  const healthCheck =
    c.healthCheck === 'none' ? undefined : c.healthCheck ? { ...CONTAINER_HEALTH_CHECK_TIMING, ...c.healthCheck } : defaults.healthCheck;
  if (healthCheck) {
    const [kind] = healthCheck.command;
    v.check(
      `${at}.container.healthCheck.command`,
      healthCheck.command,
      (kind === 'CMD' && healthCheck.command.length > 1) || (kind === 'CMD-SHELL' && healthCheck.command.length === 2),
      '["CMD", ...] or ["CMD-SHELL", "..."]',
    );
    v.integer(`${at}.container.healthCheck.intervalSeconds`, healthCheck.intervalSeconds, 5, 300);
    v.integer(`${at}.container.healthCheck.timeoutSeconds`, healthCheck.timeoutSeconds, 2, 60);
    v.integer(`${at}.container.healthCheck.retries`, healthCheck.retries, 1, 10);
    v.integer(`${at}.container.healthCheck.startPeriodSeconds`, healthCheck.startPeriodSeconds, 0, 300);
  }

  return {
    environment: { ...defaults.environment(sized), ...configured },
    secrets,
    secretsKmsKeyArn: c.secretsKmsKeyArn,
    healthCheck,
    stopTimeoutSeconds,
    ...resolveFilesystem(v, at, c, sized.memoryMiB),
  };
}

/** SSM parameters and Secrets Manager secrets of one region, as ECS `valueFrom` takes them. */
export function secretArn(region: string): RegExp {
  return new RegExp(
    `^arn:aws[a-z-]*:(ssm:${region}:\\d{12}:parameter/[A-Za-z0-9_.\\-/]+|secretsmanager:${region}:\\d{12}:secret:[A-Za-z0-9/_+=.@-]+)$`,
  );
}

function resolveRouting(v: Validator, at: string, s: ServiceSettings): ServiceConfig['routing'] {
  const r = s.routing ?? {};
  const pathPatterns = r.pathPatterns ?? [];
  const hostHeaders = r.hostHeaders ?? [];
  const isDefault = r.default ?? SERVICE_DEFAULTS.routing.default;
  const conditions = pathPatterns.length + hostHeaders.length;
  if (isDefault) {
    v.check(
      `${at}.routing`,
      r,
      conditions === 0 && r.priority === undefined,
      'a default service without pathPatterns, hostHeaders or priority',
    );
  } else {
    v.check(`${at}.routing`, r, conditions > 0, 'pathPatterns or hostHeaders, or default: true');
  }
  v.check(
    `${at}.routing (pathPatterns + hostHeaders)`,
    conditions,
    conditions <= ALB_QUOTAS.conditionValuesPerRule,
    `at most ${ALB_QUOTAS.conditionValuesPerRule} values (one listener rule)`,
  );
  const wildcards = wildcardCount([...pathPatterns, ...hostHeaders]);
  v.check(
    `${at}.routing (pathPatterns + hostHeaders)`,
    [...pathPatterns, ...hostHeaders],
    wildcards <= ALB_QUOTAS.conditionWildcardsPerRule,
    `at most ${ALB_QUOTAS.conditionWildcardsPerRule} wildcards (* ?) in one listener rule's values (AWS's "Condition wildcards per rule"), ${wildcards} here`,
  );
  pathPatterns.forEach((p, i) =>
    v.check(
      `${at}.routing.pathPatterns[${i}]`,
      p,
      PATH_PATTERN.test(p),
      'a path pattern starting with "/", at most 128 characters, * and ? as wildcards',
    ),
  );
  hostHeaders.forEach((h, i) =>
    v.check(`${at}.routing.hostHeaders[${i}]`, h, HOST_HEADER.test(h), 'a host name, at most 128 characters, * and ? as wildcards'),
  );
  if (r.priority !== undefined) v.integer(`${at}.routing.priority`, r.priority, 1, 50000);
  // Derived priorities are assigned across all services (assignPriorities), so they never collide.
  const priority = isDefault ? undefined : r.priority;
  const urlPath = r.urlPath ?? (pathPatterns[0] ? pathPatterns[0].replace(/\*+$/, '') || '/' : '/');
  v.check(`${at}.routing.urlPath`, urlPath, /^\/[\x21-\x7e]*$/.test(urlPath), 'a path starting with "/"');
  return { pathPatterns, hostHeaders, priority, default: isDefault, urlPath };
}

/**
 * Priorities for the routed services that set none. Each starts at its name's hash, so adding or
 * removing a service moves no other rule; one whose hash is taken (by an explicit priority, or by a
 * name earlier in name order) takes the next free priority of the derived range.
 */
export function assignPriorities(services: readonly ServiceConfig[]): ServiceConfig[] {
  const taken = new Set(services.flatMap((s) => (s.routing.priority === undefined ? [] : [s.routing.priority])));
  return services.map((s) => {
    if (s.routing.default || s.routing.priority !== undefined) return s;
    let priority = derivedPriority(s.name);
    while (taken.has(priority)) priority = DERIVED_PRIORITY.from + ((priority - DERIVED_PRIORITY.from + 1) % DERIVED_PRIORITY.count);
    taken.add(priority);
    return { ...s, routing: { ...s.routing, priority } };
  });
}

/** A stable priority from the name alone (FNV-1a): where assignPriorities starts. */
export function derivedPriority(name: string): number {
  return DERIVED_PRIORITY.from + (fnv1a(name) % DERIVED_PRIORITY.count);
}

function resolveScaling(v: Validator, ctx: ServiceContext, at: string, s: ServiceSettings, runsOn: RunsOn): ServiceConfig['scaling'] {
  const c = s.scaling ?? {};
  const minTasks = c.minTasks ?? SERVICE_DEFAULTS.scaling.minTasks;
  const scaling = {
    minTasks,
    maxTasks: c.maxTasks ?? SERVICE_DEFAULTS.scaling.maxTasks,
    desiredCount: c.desiredCount ?? minTasks,
    requestsPerTarget: c.requestsPerTarget ?? SERVICE_DEFAULTS.scaling.requestsPerTarget,
    // A burstable instance's baseline bounds the default (the lowest of every type tasks may run on); Fargate has no credits.
    cpuTargetPercent:
      c.cpuTargetPercent ??
      (isFargate(runsOn)
        ? DEFAULT_CPU_TARGET_PERCENT
        : Math.min(...taskInstanceTypes(ctx).map((t) => defaultCpuTargetPercent(t, ctx.cpuCredits)))),
    scaleOutCooldownSeconds: c.scaleOutCooldownSeconds ?? SERVICE_DEFAULTS.scaling.scaleOutCooldownSeconds,
    scaleInCooldownSeconds: c.scaleInCooldownSeconds ?? SERVICE_DEFAULTS.scaling.scaleInCooldownSeconds,
    healthCheckGracePeriodSeconds: c.healthCheckGracePeriodSeconds ?? SERVICE_DEFAULTS.scaling.healthCheckGracePeriodSeconds,
  };
  v.integer(`${at}.scaling.minTasks`, scaling.minTasks, 1, 1000);
  v.integer(
    `${at}.scaling.maxTasks`,
    scaling.maxTasks,
    scaling.minTasks,
    1000,
    `at least scaling.minTasks (${scaling.minTasks}), at most 1000`,
  );
  v.integer(
    `${at}.scaling.desiredCount`,
    scaling.desiredCount,
    scaling.minTasks,
    scaling.maxTasks,
    `scaling.minTasks..maxTasks (${scaling.minTasks}..${scaling.maxTasks})`,
  );
  v.check(
    `${at}.scaling.requestsPerTarget`,
    scaling.requestsPerTarget,
    Number.isFinite(scaling.requestsPerTarget) && scaling.requestsPerTarget > 0,
    'a number above 0',
  );
  v.integer(`${at}.scaling.cpuTargetPercent`, scaling.cpuTargetPercent, 1, 100);
  v.integer(`${at}.scaling.scaleOutCooldownSeconds`, scaling.scaleOutCooldownSeconds, 0, 3600);
  v.integer(`${at}.scaling.scaleInCooldownSeconds`, scaling.scaleInCooldownSeconds, 0, 3600);
  v.integer(`${at}.scaling.healthCheckGracePeriodSeconds`, scaling.healthCheckGracePeriodSeconds, 0, 3600);
  return scaling;
}

/** Fields only a blue-green deployment reads. */
const BLUE_GREEN_FIELDS = [
  'trafficShift',
  'testListenerPort',
  'testListenerCidrs',
  'approvalWaitMinutes',
  'blueTerminationWaitMinutes',
] as const;

function resolveDeployment(v: Validator, at: string, s: ServiceSettings): ServiceConfig['deployment'] {
  const d = s.deployment ?? {};
  const { strategy, waitForSteadyState, timeoutMinutes, rollbackOnAlarm } = withDefaults(SERVICE_DEFAULTS.deployment, d);
  v.check(`${at}.deployment.strategy`, strategy, DEPLOYMENT_STRATEGIES.includes(strategy), `one of ${DEPLOYMENT_STRATEGIES.join(', ')}`);
  v.integer(`${at}.deployment.timeoutMinutes`, timeoutMinutes, 5, 120);
  if (strategy === 'rolling') {
    for (const field of BLUE_GREEN_FIELDS) {
      v.check(`${at}.deployment.${field}`, d[field], d[field] === undefined, "unset with strategy 'rolling' (a blue-green setting)");
    }
    return { strategy, waitForSteadyState, timeoutMinutes, rollbackOnAlarm };
  }
  v.check(
    `${at}.deployment.waitForSteadyState`,
    d.waitForSteadyState,
    d.waitForSteadyState !== true,
    "false or unset with strategy 'blue-green' (npm run release -- deploy waits)",
  );
  v.check(
    `${at}.deployment.rollbackOnAlarm`,
    rollbackOnAlarm,
    rollbackOnAlarm,
    "true with strategy 'blue-green' (an alarm must move traffic back)",
  );
  v.check(
    `${at}.routing.default`,
    true,
    !(s.routing?.default ?? SERVICE_DEFAULTS.routing.default),
    "a routed service (pathPatterns or hostHeaders) with strategy 'blue-green': CodeDeploy moves its listener rule",
  );
  return { strategy, waitForSteadyState: false, timeoutMinutes, rollbackOnAlarm, blueGreen: resolveBlueGreen(v, at, d) };
}

function resolveBlueGreen(v: Validator, at: string, d: NonNullable<ServiceSettings['deployment']>): BlueGreenConfig {
  const trafficShift = d.trafficShift ?? SERVICE_DEFAULTS.deployment.trafficShift;
  const shifts = Object.keys(TRAFFIC_SHIFTS) as TrafficShift[];
  v.check(`${at}.deployment.trafficShift`, trafficShift, shifts.includes(trafficShift), `one of ${shifts.join(', ')}`);
  const blueTerminationWaitMinutes = d.blueTerminationWaitMinutes ?? SERVICE_DEFAULTS.deployment.blueTerminationWaitMinutes;
  v.integer(`${at}.deployment.blueTerminationWaitMinutes`, blueTerminationWaitMinutes, 0, CODEDEPLOY_MAX_WAIT_MINUTES);
  if (d.approvalWaitMinutes !== undefined) {
    v.integer(`${at}.deployment.approvalWaitMinutes`, d.approvalWaitMinutes, 1, CODEDEPLOY_MAX_WAIT_MINUTES);
  }
  return {
    trafficShift,
    deploymentConfigName: TRAFFIC_SHIFTS[trafficShift].deploymentConfigName,
    testListener: resolveTestListener(v, at, d),
    approvalWaitMinutes: d.approvalWaitMinutes,
    blueTerminationWaitMinutes,
  };
}

function resolveTestListener(v: Validator, at: string, d: NonNullable<ServiceSettings['deployment']>): BlueGreenConfig['testListener'] {
  const { testListenerPort: port, testListenerCidrs: cidrs } = d;
  if (port === undefined) {
    v.check(`${at}.deployment.testListenerCidrs`, cidrs, cidrs === undefined, 'unset without deployment.testListenerPort');
    return undefined;
  }
  v.integer(`${at}.deployment.testListenerPort`, port, 1, 65535);
  v.check(
    `${at}.deployment.testListenerPort`,
    port,
    !LISTENER_PORTS.includes(port),
    `a port other than the ALB's listeners (${LISTENER_PORTS.join(', ')})`,
  );
  v.check(`${at}.deployment.testListenerCidrs`, cidrs, (cidrs ?? []).length > 0, 'at least one CIDR with deployment.testListenerPort');
  cidrs!.forEach((c, i) => {
    const cidr = parseCidr(c);
    v.check(`${at}.deployment.testListenerCidrs[${i}]`, c, cidr !== undefined, 'an IPv4 network CIDR such as 203.0.113.0/24');
    v.check(
      `${at}.deployment.testListenerCidrs[${i}]`,
      c,
      cidr!.prefix > 0,
      'a CIDR narrower than /0: the test listener serves a version not yet approved',
    );
  });
  return { port, cidrs: [...cidrs!] };
}

/** Target groups of the one ALB: one per service, a second per blue-green service. */
export function targetGroupCount(services: readonly ServiceConfig[]): number {
  return services.reduce((n, s) => n + (s.deployment.blueGreen ? 2 : 1), 0);
}

function checkTargetGroups(v: Validator, services: readonly ServiceConfig[]): void {
  const count = targetGroupCount(services);
  v.check(
    'services',
    services.length,
    count <= ALB_QUOTAS.targetGroupsPerLoadBalancer,
    `at most ${ALB_QUOTAS.targetGroupsPerLoadBalancer} target groups on one ALB (AWS's "Target Groups per Application Load Balancer", not adjustable), ${count} here: one per service, two per blue-green service`,
  );
}

/** Target group names are unique per account and region: a Fargate service's `-ip` group must not be another service's. */
function checkTargetGroupNames(v: Validator, ctx: ServiceContext, services: readonly ServiceConfig[]): void {
  const taken = new Map<string, string>();
  for (const s of services) {
    const names = [
      serviceTargetGroupName(ctx.namePrefix, s.name, isFargate(s.runsOn)),
      ...(s.deployment.blueGreen ? [blueGreenNames(ctx.namePrefix, s.name).alternateTargetGroup] : []),
    ];
    for (const name of names) {
      const other = taken.get(name);
      v.check(`services.${s.name}`, s.name, other === undefined, `another name: its target group "${name}" is services.${other}'s`);
      taken.set(name, s.name);
    }
  }
}

/** Each test listener on a port of its own. */
function checkTestListeners(v: Validator, services: readonly ServiceConfig[]): void {
  const taken = new Map<number, string>();
  for (const s of services) {
    const port = s.deployment.blueGreen?.testListener?.port;
    if (port === undefined) continue;
    const other = taken.get(port);
    v.check(
      `services.${s.name}.deployment.testListenerPort`,
      port,
      other === undefined,
      `a port no other service's test listener takes (services.${other} has it)`,
    );
    taken.set(port, s.name);
  }
}

/** One listener: at most one default, at most 100 rules, distinct priorities, no overlap unless both priorities are explicit. */
function checkRoutes(v: Validator, services: readonly ServiceConfig[], explicit: (name: string) => boolean): void {
  const defaults = services.filter((s) => s.routing.default);
  if (defaults.length > 1) {
    v.check(
      `services.${defaults[1].name}.routing.default`,
      true,
      false,
      `at most one default service (services.${defaults[0].name} is one)`,
    );
  }
  const routed = services.filter((s) => !s.routing.default);
  routed.forEach((b, j) =>
    routed.slice(0, j).forEach((a) => {
      const at = `services.${b.name}.routing`;
      // Only explicit priorities can collide: derived ones step around every taken priority.
      v.check(
        `${at}.priority`,
        b.routing.priority,
        a.routing.priority !== b.routing.priority,
        `a priority other than services.${a.name}'s (both set ${a.routing.priority}): change one, or unset it to derive one`,
      );
      v.check(at, routeOf(b), !sameRoute(a, b), `a route other than services.${a.name}'s (the same conditions)`);
      v.check(
        at,
        routeOf(b),
        !overlap(a, b) || (explicit(a.name) && explicit(b.name)),
        `no overlap with services.${a.name} (${describe(a)}) unless both set a priority`,
      );
    }),
  );
}

/** The conditions of a route, the empty ones left out. */
function routeOf(s: ServiceConfig) {
  const { pathPatterns, hostHeaders } = s.routing;
  return { ...(pathPatterns.length > 0 ? { pathPatterns } : {}), ...(hostHeaders.length > 0 ? { hostHeaders } : {}) };
}

function describe(s: ServiceConfig): string {
  return [...s.routing.hostHeaders, ...s.routing.pathPatterns].join(' ');
}

function sameRoute(a: ServiceConfig, b: ServiceConfig): boolean {
  const key = (s: ServiceConfig) =>
    JSON.stringify([[...s.routing.pathPatterns].sort(), [...s.routing.hostHeaders].map((h) => h.toLowerCase()).sort()]);
  return key(a) === key(b);
}

/** Whether some request could match both routes: each condition list is empty (any) or has patterns matching each other. */
function overlap(a: ServiceConfig, b: ServiceConfig): boolean {
  const lists = (x: readonly string[], y: readonly string[], flags: string) =>
    x.length === 0 || y.length === 0 || x.some((p) => y.some((q) => glob(p, flags).test(q) || glob(q, flags).test(p)));
  return lists(a.routing.pathPatterns, b.routing.pathPatterns, '') && lists(a.routing.hostHeaders, b.routing.hostHeaders, 'i');
}

/** An ALB pattern as a regular expression: `*` any characters, `?` one. */
function glob(pattern: string, flags: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, flags);
}

/**
 * Every service at twice its maxTasks (a rolling deployment at 200% while at the maximum; one
 * apply may deploy all services at once) must fit capacity.max instances, by memory reservation
 * and by cpu units, and each service on its own must fit whole tasks per instance.
 */
function checkFit(v: Validator, ctx: ServiceContext, all: readonly ServiceConfig[]): void {
  // Fargate tasks take nothing of the instances.
  const services = all.filter((s) => !isFargate(s.runsOn));
  const { spec, label } = fitSize(ctx);
  const perInstance = { memory: spec.registeredMemoryMiB - ctx.reservedMemoryMiB, cpu: spec.vcpus * 1024 };
  const surge = DEPLOYMENT_MAXIMUM_PERCENT / 100;
  const tasks = (s: ServiceConfig) => s.scaling.maxTasks * surge;
  const memory = services.reduce((n, s) => n + tasks(s) * s.container.memoryReservationMiB, 0);
  const cpu = services.reduce((n, s) => n + tasks(s) * s.container.cpu, 0);
  const wholeTasks = services.map((s) =>
    Math.ceil(
      tasks(s) /
        tasksPerInstance(spec, { cpu: s.container.cpu, memoryReservationMiB: s.container.memoryReservationMiB }, ctx.reservedMemoryMiB),
    ),
  );
  const needed = Math.max(Math.ceil(memory / perInstance.memory), Math.ceil(cpu / perInstance.cpu), ...wholeTasks);
  v.check(
    'capacity.max',
    ctx.capacity.max,
    needed <= ctx.capacity.max,
    `at least ${needed}: ${surge} x maxTasks of all services (a ${DEPLOYMENT_MAXIMUM_PERCENT}% deployment) reserve ${memory} MiB, ${cpu} cpu units; ${label.startsWith('the ') ? label : `a ${label}`} holds ${perInstance.memory}, ${perInstance.cpu}`,
  );
}
