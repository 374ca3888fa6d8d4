/** A service's settings (what an environment may set) and its resolved config (what constructs receive). */
import { Fields, mapOf } from '../shared/known-fields';

/**
 * The ECS agent's default stop timeout (ECS_CONTAINER_STOP_TIMEOUT), in seconds, and the default
 * of every container's `stopTimeoutSeconds`. The host-name app's shutdown phase (20 s) stays below it.
 */
export const CONTAINER_STOP_TIMEOUT_SECONDS = 30;

// ---------------------------------------------------------------------------------------------
// Services

/**
 * What the platform knows about the app in the image:
 * - `spring-boot`: a JVM app like workload/: `SERVER_PORT` and `JAVA_TOOL_OPTIONS` sized to the
 *   container, the image's `/usr/local/bin/healthcheck`, and the readiness endpoint for the ALB.
 * - `generic`: any image; nothing is added to its environment and it gets no container health
 *   check unless one is configured.
 */
export type RuntimeProfile = 'spring-boot' | 'generic';
export const RUNTIME_PROFILES: readonly RuntimeProfile[] = ['spring-boot', 'generic'];

/** Where the service's image comes from: exactly one of `directory` and `uri`. */
export interface ServiceImageSettings {
  /**
   * Docker build context relative to the repository root (its Dockerfile at the top), built with
   * the docker provider and pushed to a new ECR repository. @default none
   */
  readonly directory?: string;
  /** ECR repository name when building. @default `<namePrefix>-<service>` */
  readonly repositoryName?: string;
  /**
   * An image built elsewhere: `registry/repo:tag` or `registry/repo@sha256:…`, or a Docker Hub name with a tag,
   * written out in full (`nginx:1.27` is `docker.io/library/nginx:1.27`). A production environment takes a
   * digest or a private ECR image. @default none
   */
  readonly uri?: string;
}

/** How the shared ALB sends requests to the service. */
export interface RoutingSettings {
  /**
   * ALB path patterns (`*` and `?` wildcards, case-sensitive), e.g. `/users*`. Path patterns and host
   * headers together: at most 5 values per rule. @default none
   */
  readonly pathPatterns?: readonly string[];
  /** Host headers, e.g. `api.example.com` or `*.example.com`. @default none */
  readonly hostHeaders?: readonly string[];
  /**
   * Listener rule priority, 1-50000, lower first. Only matters for overlapping routes, which need it.
   * @default derived from the service name (a hash, so adding a service never shifts another's)
   */
  readonly priority?: number;
  /** The listener's default action forwards here (no rule). At most one service. @default false: unmatched requests get a JSON 404 */
  readonly default?: boolean;
  /** Path of the service's `url` output. @default the first path pattern without its trailing `*`, else `/` */
  readonly urlPath?: string;
}

/** A container health check (Docker's HEALTHCHECK as ECS runs it). */
export interface ContainerHealthCheckSettings {
  /** ECS form: `['CMD', '/bin/check']` or `['CMD-SHELL', 'curl -f http://localhost/ || exit 1']`. */
  readonly command: readonly string[];
  /** Seconds between checks, 5-300. @default 15 */
  readonly intervalSeconds?: number;
  /** Seconds a check may take, 2-60. @default 5 */
  readonly timeoutSeconds?: number;
  /** Failed checks in a row before the container is unhealthy, 1-10. @default 3 */
  readonly retries?: number;
  /** Seconds after start in which failures do not count, 0-300. @default 60 */
  readonly startPeriodSeconds?: number;
}

/**
 * Defaults of the container's file system settings: the root read-only, and the size of a writable path
 * that names none (a tmpfs needs one).
 */
export const CONTAINER_FILESYSTEM_DEFAULTS = { readonlyRootFilesystem: true, writablePathSizeMiB: 64 } as const;

/** A writable path of a read-only container: a tmpfs mount (memory-backed, empty at each start). */
export interface WritablePathSettings {
  /** Absolute path in the container, e.g. `/var/cache/nginx`. */
  readonly path: string;
  /** Size limit in MiB; what it holds counts against the container's memoryMiB. @default 64 (CONTAINER_FILESYSTEM_DEFAULTS) */
  readonly sizeMiB?: number;
}

export interface ContainerSettings {
  /** Port the app listens on inside the container (on a dynamic host port). @default 8000 */
  readonly port?: number;
  /** ECS cpu units (1024 = one vCPU). @default 512 */
  readonly cpu?: number;
  /** Hard memory limit in MiB; the container is killed above it. @default 512 */
  readonly memoryMiB?: number;
  /** Soft limit in MiB that placement reserves on the instance. @default memoryMiB */
  readonly memoryReservationMiB?: number;
  /** Plain environment variables (never secrets: the policy suite checks). @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Secrets as environment variables: name -> ARN of an SSM parameter or a Secrets Manager secret in
   * the environment's region. The execution role may read exactly these. @default {}
   */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Customer managed KMS key that encrypts the secrets; the execution role may decrypt with it. @default none (AWS managed keys) */
  readonly secretsKmsKeyArn?: string;
  /** The container's health check ({ command, intervalSeconds, timeoutSeconds, retries, startPeriodSeconds }), or 'none'. @default the profile's: spring-boot runs the image's /usr/local/bin/healthcheck; generic has none */
  readonly healthCheck?: ContainerHealthCheckSettings | 'none';
  /** Seconds between SIGTERM and SIGKILL, 2-120. @default 30 (CONTAINER_STOP_TIMEOUT_SECONDS) */
  readonly stopTimeoutSeconds?: number;
  /**
   * The root file system is read-only: an image that writes elsewhere than /tmp (always writable, a task
   * volume) and its `writablePaths` fails. @default true (CONTAINER_FILESYSTEM_DEFAULTS)
   */
  readonly readonlyRootFilesystem?: boolean;
  /**
   * More writable paths, by name: tmpfs mounts (ECS `linuxParameters.tmpfs`, EC2 launch type only). Stock
   * nginx needs its cache and pid directories: `{ cache: { path: '/var/cache/nginx' }, run: { path: '/var/run' } }`.
   * @default {} (none)
   */
  readonly writablePaths?: Readonly<Record<string, WritablePathSettings>>;
  /** Who the container runs as: `uid`, `uid:gid`, `user` or `user:group`, never root. @default the image's USER */
  readonly user?: string;
}

export interface TargetGroupSettings {
  /** Path of the ALB's health check. @default the profile's: spring-boot '/actuator/health/readiness', generic '/health' */
  readonly healthCheckPath?: string;
  /** Seconds between ALB health checks, 5-300. @default 15 */
  readonly healthCheckIntervalSeconds?: number;
  /** Passed checks before a target is healthy, 2-10. @default 2 */
  readonly healthyThreshold?: number;
  /** Failed checks before a target is unhealthy, 2-10. @default 3 */
  readonly unhealthyThreshold?: number;
  /** Draining time before a task gets SIGTERM. @default 30 */
  readonly deregistrationDelaySeconds?: number;
}

export interface ScalingSettings {
  /** Lower bound for service autoscaling. @default 1 */
  readonly minTasks?: number;
  /** Upper bound; twice this (a deployment at 200%) must fit capacity.max instances with every other service. @default 2 */
  readonly maxTasks?: number;
  /** Tasks at creation; autoscaling owns the count afterwards. @default minTasks */
  readonly desiredCount?: number;
  /** Target for ALBRequestCountPerTarget tracking, as in the tutorial. @default 50 */
  readonly requestsPerTarget?: number;
  /**
   * Target average CPU utilisation (%) for the second tracking policy. @default 60, or the lowest baseline
   * per vCPU of the burstable types with unlimited credits its tasks may run on (instanceType, and
   * spot.instanceTypes with Spot; t3.small: 20), which bills no surplus credits
   */
  readonly cpuTargetPercent?: number;
  /** Seconds after a scale-out before another. @default 60 */
  readonly scaleOutCooldownSeconds?: number;
  /** Seconds after a scale-in before another. @default 300 */
  readonly scaleInCooldownSeconds?: number;
  /** Seconds ECS ignores ALB health checks after a task starts. @default 60 */
  readonly healthCheckGracePeriodSeconds?: number;
}

/**
 * How a new task definition reaches the service:
 * - `rolling`: ECS replaces tasks in place, judged by the circuit breaker and the deployment alarms;
 *   `terraform apply` rolls it out.
 * - `blue-green`: CodeDeploy starts a replacement task set behind a second target group, moves the
 *   listener rule to it, and keeps the original until `blueTerminationWaitMinutes` have passed;
 *   `terraform apply` registers the task definition and `npm run release -- deploy <env> <service>`
 *   rolls it out. Switching an existing service replaces its ECS service (docs/deploy.md).
 */
export type DeploymentStrategy = 'rolling' | 'blue-green';
export const DEPLOYMENT_STRATEGIES: readonly DeploymentStrategy[] = ['rolling', 'blue-green'];

/** How CodeDeploy moves production traffic to the replacement task set. */
export type TrafficShift = 'all-at-once' | 'canary' | 'linear';

/** Each traffic shift as CodeDeploy's predefined ECS deployment configuration, and the minutes it takes to move all traffic. */
export const TRAFFIC_SHIFTS: Readonly<Record<TrafficShift, { readonly deploymentConfigName: string; readonly minutes: number }>> = {
  'all-at-once': { deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce', minutes: 0 },
  canary: { deploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes', minutes: 5 },
  linear: { deploymentConfigName: 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes', minutes: 10 },
};

/** How a deployment of the service is released and judged. */
export interface DeploymentSettings {
  /** 'rolling' (ECS replaces tasks in place) or 'blue-green' (CodeDeploy, a second target group). @default 'rolling' */
  readonly strategy?: DeploymentStrategy;
  /**
   * `terraform apply` waits until the service is stable and then fails if ECS rolled the deployment
   * back (the service then runs another task definition than the one applied). Rolling only: a
   * blue-green service is waited for by `npm run release -- deploy`. @default true (rolling)
   */
  readonly waitForSteadyState?: boolean;
  /** How long apply waits for the service to be created or updated (the provider's `timeouts`), 5-120. @default 20 */
  readonly timeoutMinutes?: number;
  /**
   * ECS rolls a deployment back when one of the service's deployment alarms (ServiceAlarms:
   * target 5xx rate, unhealthy hosts, p99 latency; thresholds in `operations.alarms`) fires;
   * blue-green: CodeDeploy does, and it must. @default true
   */
  readonly rollbackOnAlarm?: boolean;
  /**
   * Blue-green only. How CodeDeploy moves production traffic: 'all-at-once' (ECSAllAtOnce),
   * 'canary' (10%, then the rest after 5 minutes) or 'linear' (10% more every minute).
   * @default 'all-at-once'
   */
  readonly trafficShift?: TrafficShift;
  /**
   * Blue-green only. A test listener on this ALB port forwards to the replacement task set before
   * production traffic moves (needs `testListenerCidrs`); not 80 or 443, one per service. @default none
   */
  readonly testListenerPort?: number;
  /** Blue-green only. CIDRs allowed to reach the test listener; at least one, none open to the internet (/0). @default none */
  readonly testListenerCidrs?: readonly string[];
  /**
   * Blue-green only. Minutes CodeDeploy holds the replacement task set, reachable on the test listener,
   * for someone to approve (`aws deploy continue-deployment`) before production traffic moves; unapproved,
   * the deployment stops. 1-2880. @default none: traffic moves as soon as the replacement is healthy
   */
  readonly approvalWaitMinutes?: number;
  /**
   * Blue-green only. Minutes the original task set keeps running after all traffic has moved, 0-2880:
   * the deployment alarms judge the new one under all the traffic meanwhile, and a rollback moves
   * traffic straight back. @default 10 (the default alarms need 5 breaching minutes)
   */
  readonly blueTerminationWaitMinutes?: number;
}

/**
 * Where a service's tasks run:
 * - `ec2`: the environment's container instances (bridge mode, dynamic host ports; on-demand, and
 *   Spot above each service's minTasks when `spot.enabled`);
 * - `fargate`: AWS Fargate, awsvpc, one task per ENI; the task's size is the container's cpu and
 *   memoryMiB, which must be one of Fargate's combinations;
 * - `fargate-spot`: the same on Fargate Spot (interrupted with a 2-minute warning).
 */
export type RunsOn = 'ec2' | 'fargate' | 'fargate-spot';
export const RUNS_ON: readonly RunsOn[] = ['ec2', 'fargate', 'fargate-spot'];

/** One load-balanced service. Only `image` and a route (`routing`) are required. */
export interface ServiceSettings {
  /** 'ec2' (the environment's instances), 'fargate' or 'fargate-spot'. @default 'ec2' */
  readonly runsOn?: RunsOn;
  readonly image: ServiceImageSettings;
  /** The runtime profile: 'spring-boot' (actuator health, JVM sizing, keep-alive) or 'generic'. @default 'generic' */
  readonly profile?: RuntimeProfile;
  readonly routing?: RoutingSettings;
  readonly container?: ContainerSettings;
  readonly targetGroup?: TargetGroupSettings;
  readonly scaling?: ScalingSettings;
  readonly deployment?: DeploymentSettings;
}

/** A writable path, resolved. */
export interface WritablePath {
  readonly name: string;
  readonly path: string;
  readonly sizeMiB: number;
}

/** A container health check, resolved. */
export type ContainerHealthCheck = Required<ContainerHealthCheckSettings>;

/** A service with every field resolved and validated; the profile is already applied. */
export interface ServiceConfig {
  readonly name: string;
  readonly runsOn: RunsOn;
  readonly profile: RuntimeProfile;
  /** `build`: an absolute directory and the ECR repository name; `uri`: an image built elsewhere. */
  readonly image:
    | { readonly kind: 'build'; readonly directory: string; readonly repositoryName: string }
    | { readonly kind: 'uri'; readonly uri: string };
  readonly routing: {
    readonly pathPatterns: readonly string[];
    readonly hostHeaders: readonly string[];
    /** Undefined for the default service (it has no rule). */
    readonly priority?: number;
    readonly default: boolean;
    readonly urlPath: string;
  };
  readonly container: {
    readonly port: number;
    readonly cpu: number;
    readonly memoryMiB: number;
    readonly memoryReservationMiB: number;
    /** The profile's variables first, then the configured ones. */
    readonly environment: Readonly<Record<string, string>>;
    readonly secrets: Readonly<Record<string, string>>;
    readonly secretsKmsKeyArn?: string;
    readonly healthCheck?: ContainerHealthCheck;
    readonly stopTimeoutSeconds: number;
    readonly readonlyRootFilesystem: boolean;
    /** In name order. */
    readonly writablePaths: readonly WritablePath[];
    readonly user?: string;
  };
  readonly targetGroup: Required<TargetGroupSettings>;
  readonly scaling: Required<ScalingSettings>;
  readonly deployment: DeploymentConfig;
}

/** A blue/green deployment, resolved. */
export interface BlueGreenConfig {
  readonly trafficShift: TrafficShift;
  /** CodeDeploy's predefined ECS configuration for the traffic shift. */
  readonly deploymentConfigName: string;
  /** Undefined: no test listener. */
  readonly testListener?: { readonly port: number; readonly cidrs: readonly string[] };
  /** Undefined: no approval wait. */
  readonly approvalWaitMinutes?: number;
  readonly blueTerminationWaitMinutes: number;
}

/** A service's deployment, resolved: `blueGreen` is set exactly when the strategy is blue-green. */
export interface DeploymentConfig {
  readonly strategy: DeploymentStrategy;
  /** Always false for blue-green (CodeDeploy, not apply, rolls it out). */
  readonly waitForSteadyState: boolean;
  readonly timeoutMinutes: number;
  readonly rollbackOnAlarm: boolean;
  readonly blueGreen?: BlueGreenConfig;
}

/** An environment that names no services runs the host-name app from workload/, as the default route. */
export const DEFAULT_SERVICES: Readonly<Record<string, ServiceSettings>> = {
  'host-name': { image: { directory: 'workload' }, profile: 'spring-boot', routing: { default: true, urlPath: '/host-name' } },
};

/**
 * Each service field's default, written once (the JSDoc @default above says the same). The profile's
 * defaults (health check path, container health check, environment) are in runtime-profiles.ts.
 */
export const SERVICE_DEFAULTS: {
  readonly runsOn: RunsOn;
  readonly profile: RuntimeProfile;
  readonly routing: { readonly default: boolean };
  readonly container: Required<Pick<ContainerSettings, 'port' | 'cpu' | 'memoryMiB' | 'stopTimeoutSeconds'>>;
  readonly targetGroup: Required<Omit<TargetGroupSettings, 'healthCheckPath'>>;
  readonly scaling: Required<Omit<ScalingSettings, 'desiredCount' | 'cpuTargetPercent'>>;
  readonly deployment: Required<Omit<DeploymentSettings, 'testListenerPort' | 'testListenerCidrs' | 'approvalWaitMinutes'>>;
} = {
  runsOn: 'ec2',
  profile: 'generic',
  routing: { default: false },
  container: { port: 8000, cpu: 512, memoryMiB: 512, stopTimeoutSeconds: CONTAINER_STOP_TIMEOUT_SECONDS },
  targetGroup: { healthCheckIntervalSeconds: 15, healthyThreshold: 2, unhealthyThreshold: 3, deregistrationDelaySeconds: 30 },
  scaling: {
    minTasks: 1,
    maxTasks: 2,
    requestsPerTarget: 50,
    scaleOutCooldownSeconds: 60,
    scaleInCooldownSeconds: 300,
    healthCheckGracePeriodSeconds: 60,
  },
  deployment: {
    strategy: 'rolling',
    waitForSteadyState: true,
    timeoutMinutes: 20,
    rollbackOnAlarm: true,
    trafficShift: 'all-at-once',
    blueTerminationWaitMinutes: 10,
  },
};

/** A service's field names, for the unknown-field check (tsc fails when one is missing or extra). */
export const SERVICE_FIELDS: Fields<ServiceSettings> = {
  runsOn: true,
  image: { directory: true, repositoryName: true, uri: true },
  profile: true,
  routing: { pathPatterns: true, hostHeaders: true, priority: true, default: true, urlPath: true },
  container: {
    port: true,
    cpu: true,
    memoryMiB: true,
    memoryReservationMiB: true,
    environment: true,
    secrets: true,
    secretsKmsKeyArn: true,
    healthCheck: { command: true, intervalSeconds: true, timeoutSeconds: true, retries: true, startPeriodSeconds: true },
    stopTimeoutSeconds: true,
    readonlyRootFilesystem: true,
    writablePaths: mapOf<WritablePathSettings>({ path: true, sizeMiB: true }),
    user: true,
  },
  targetGroup: {
    healthCheckPath: true,
    healthCheckIntervalSeconds: true,
    healthyThreshold: true,
    unhealthyThreshold: true,
    deregistrationDelaySeconds: true,
  },
  scaling: {
    minTasks: true,
    maxTasks: true,
    desiredCount: true,
    requestsPerTarget: true,
    cpuTargetPercent: true,
    scaleOutCooldownSeconds: true,
    scaleInCooldownSeconds: true,
    healthCheckGracePeriodSeconds: true,
  },
  deployment: {
    strategy: true,
    waitForSteadyState: true,
    timeoutMinutes: true,
    rollbackOnAlarm: true,
    trafficShift: true,
    testListenerPort: true,
    testListenerCidrs: true,
    approvalWaitMinutes: true,
    blueTerminationWaitMinutes: true,
  },
};
