import { OperationsConfig, OperationsSettings } from '../operations/settings';

/**
 * The typed environment configuration: what an environment may set (`EnvironmentSettings`,
 * every field optional with a documented default) and what the constructs receive
 * (`EnvironmentConfig`, every field resolved). Environments themselves live in environments.ts.
 */

/**
 * `per-az`: a NAT gateway per AZ (survives an AZ outage); `single`: one NAT gateway; `instance`: one
 * NAT instance (see NatInstanceSettings), the cheapest and the least resilient.
 */
export type NatMode = 'per-az' | 'single' | 'instance';
export const NAT_MODES: readonly NatMode[] = ['per-az', 'single', 'instance'];

export interface NatInstanceSettings {
  /** Graviton type of the NAT instance (natMode 'instance'); one of NAT_INSTANCE_TYPES. @default 't4g.nano' */
  readonly instanceType?: string;
  /**
   * Pin the NAT instance's AMI (`ami-…`, arm64, in the region), as `amiId` does for the container
   * instances. @default none: the latest Amazon Linux 2023 arm64 AMI, read from its public SSM
   * parameter at every plan (and shown there)
   */
  readonly amiId?: string;
}

/** Where VPC flow logs go: CloudWatch Logs, or an S3 bucket the stack creates (half the delivery price, no query console). */
export type FlowLogDestination = 'cloud-watch-logs' | 's3';
export const FLOW_LOG_DESTINATIONS: readonly FlowLogDestination[] = ['cloud-watch-logs', 's3'];
/** Which flows are logged; REJECT-only is a fraction of ALL. */
export type FlowLogTraffic = 'ALL' | 'ACCEPT' | 'REJECT';
export const FLOW_LOG_TRAFFIC: readonly FlowLogTraffic[] = ['ALL', 'ACCEPT', 'REJECT'];

/** Burstable instances' CPU credits: `standard` never buys surplus credits; `unlimited` does, above the baseline. */
export type CpuCredits = 'standard' | 'unlimited';
export const CPU_CREDITS: readonly CpuCredits[] = ['standard', 'unlimited'];

/**
 * Scales the environment to zero outside working hours: every service's tasks at `stop`, its
 * instances' minimum to 0 SCHEDULE_INSTANCE_DELAY_MINUTES later (ECS then scales in the instances,
 * which it protects from scale-in while they run tasks),
 * and back at `start`; a NAT instance runs from SCHEDULE_NAT_MARGIN_MINUTES before `start` to as
 * long after the instances' scale-in. While it is on, the schedule owns the minimum and maximum sizes; a changed
 * capacity or scaling range takes effect at the next start.
 */
export interface ScheduleSettings {
  /** @default false */
  readonly enabled?: boolean;
  /** IANA time zone of `start` and `stop`, e.g. 'Europe/Berlin'. @default 'UTC' */
  readonly timeZone?: string;
  /** Days it runs, as a cron day-of-week field of names: 'MON-FRI', 'MON,WED,FRI', 'SUN-SAT'. @default 'MON-FRI' */
  readonly days?: string;
  /** Scale up at 'HH:MM' (24 h) on those days; with natMode 'instance' at 00:10 or later (the NAT starts 10 minutes before). @default '08:00' */
  readonly start?: string;
  /**
   * Scale to zero at 'HH:MM', after `start` and at most 23:44 (23:34 with natMode 'instance') so the
   * instances' action, and the NAT instance's after it, stay on the same day. @default '19:00'
   */
  readonly stop?: string;
}

/** Minutes between the services' scale-in and the instances' minimum dropping to 0: time for tasks to drain. */
export const SCHEDULE_INSTANCE_DELAY_MINUTES = 15;

/**
 * Minutes the NAT instance (natMode 'instance') starts before `start`, so booting container instances
 * reach ECS, and stops after the instances' scale-in, so nothing loses egress while it stops.
 */
export const SCHEDULE_NAT_MARGIN_MINUTES = 10;

export interface CapacitySettings {
  /** Minimum instances in the Auto Scaling group. @default 1 */
  readonly min?: number;
  /**
   * Maximum instances in the Auto Scaling group; every service at twice its maxTasks (a deployment
   * at 200%) must fit them. @default 4 (the default service: two 512 MiB tasks, twice, on t2.micro)
   */
  readonly max?: number;
  /**
   * The capacity provider's managed scaling target, 1-100: how full (instances with tasks / all
   * instances) it keeps the group. Below 100 keeps spare instances, so new tasks of a deployment
   * or a scale-out place at once instead of waiting for an instance to boot. @default 100 (90 in prod)
   */
  readonly targetCapacityPercent?: number;
}

export interface SpotSettings {
  /** Run instances above the on-demand base as Spot. @default false */
  readonly enabled?: boolean;
  /** Instances that stay on-demand whatever the Spot market does. @default 1 */
  readonly onDemandBaseCapacity?: number;
}

export interface LoadBalancerSettings {
  /** ACM certificate ARN; with one, HTTPS serves and HTTP redirects. @default none (HTTP only) */
  readonly certificateArn?: string;
  /** CIDRs allowed to reach the listeners. @default ['0.0.0.0/0'] */
  readonly ingressCidrs?: readonly string[];
  /**
   * Below the keep-alive timeout of every service whose profile knows it (spring-boot: 75 s), or the
   * ALB sends requests on connections the app has just closed (502). @default 60
   */
  readonly idleTimeoutSeconds?: number;
  /** @default false (true in prod) */
  readonly deletionProtection?: boolean;
  /** Write access logs to an S3 bucket the stack creates. @default false (true in prod) */
  readonly accessLogs?: boolean;
  /** Days before access log objects expire. @default 90 */
  readonly accessLogExpirationDays?: number;
  /**
   * Path patterns the listener answers with its JSON 404 whatever the services route, so the
   * internet never reaches them; ALB health checks go to the targets directly and still do. At
   * most 5; `[]` for none. The rule takes listener priority 1. @default ['/actuator*']
   */
  readonly blockedPaths?: readonly string[];
}

/** A Route 53 name for the ALB, with an ACM certificate validated through the same zone. */
export interface DomainSettings {
  /** The public hosted zone, found by name (a data source). Exactly one of zoneName and zoneId. @default none */
  readonly zoneName?: string;
  /** The public hosted zone's id, e.g. `Z0123456789ABCDEFGHIJ`. @default none */
  readonly zoneId?: string;
  /** The name clients use: the zone apex or a name inside it, e.g. `app.example.com`. */
  readonly recordName: string;
}

/** An AWS WAF web ACL on the ALB. */
export interface WafSettings {
  /** @default false (true in prod) */
  readonly enabled?: boolean;
  /** Requests one client IP may send in 5 minutes before it is blocked, 10-2,000,000,000. @default 2000 */
  readonly rateLimit?: number;
  /** Log every request's WAF verdict to a CloudWatch log group `aws-waf-logs-<namePrefix>`. @default false */
  readonly logging?: boolean;
}

export interface ImageSettings {
  /** Days after its push an untagged image expires (ECR lifecycle policy); tagged images never expire. @default 14 */
  readonly untaggedImageDays?: number;
  /** Let the registry stack delete this environment's build repository with its images when the environment goes. @default false (true in dev) */
  readonly forceDelete?: boolean;
}

export interface StateSettings {
  /** S3 bucket for remote state. Without it, state is local. */
  readonly bucket: string;
  /** @default the environment's region */
  readonly region?: string;
}

/** What an environment may set. Every field is optional and has a default. */
export interface EnvironmentSettings {
  /** Prefix of every resource name; at most 28 characters so ALB names fit in 32. @default `host-name-${name}` */
  readonly namePrefix?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** Two or three AZs of the region. @default the region's a and b */
  readonly availabilityZones?: readonly string[];
  /** @default '10.0.0.0/16' */
  readonly vpcCidr?: string;
  /** One per AZ, in AZ order. @default carved from the lower half of the VPC, one /20 per AZ for a /16 */
  readonly publicSubnetCidrs?: readonly string[];
  /** One per AZ, in AZ order. @default carved from the upper half of the VPC, one /20 per AZ for a /16 */
  readonly privateSubnetCidrs?: readonly string[];
  /** @default 'single' (prod: 'per-az', dev: 'instance') */
  readonly natMode?: NatMode;
  readonly natInstance?: NatInstanceSettings;
  /** VPC flow logs. @default false (true in prod) */
  readonly flowLogs?: boolean;
  /** @default 'cloud-watch-logs' */
  readonly flowLogDestination?: FlowLogDestination;
  /** @default 'ALL' */
  readonly flowLogTraffic?: FlowLogTraffic;
  /** One of the types in instance-types.ts. @default 't2.micro' */
  readonly instanceType?: string;
  /** Burstable types only (t2, t3, t3a, t4g). @default the family's own: standard for t2, unlimited for t3, t3a and t4g */
  readonly cpuCredits?: CpuCredits;
  /**
   * EC2 detailed monitoring (1-minute instance metrics, billed as custom metrics). Container Insights
   * has no per-instance metrics, and managed scaling reads CapacityProviderReservation, so this only
   * serves diagnosing one instance. @default true
   */
  readonly detailedMonitoring?: boolean;
  /** Container Insights on the cluster (per cluster, service and task metrics, billed as custom metrics). @default true */
  readonly containerInsights?: boolean;
  readonly capacity?: CapacitySettings;
  readonly spot?: SpotSettings;
  readonly schedule?: ScheduleSettings;
  /** MiB the ECS agent holds back for the OS and itself (ECS_RESERVED_MEMORY). @default 256 */
  readonly reservedMemoryMiB?: number;
  /**
   * Pin the instances' AMI (`ami-…`, of the instance type's architecture, in the region). A new AMI
   * then only comes with a change of this value. @default none: the recommended ECS-optimized Amazon
   * Linux 2023 AMI, read from its public SSM parameter at every plan (and shown there)
   */
  readonly amiId?: string;
  /**
   * Create the ECS service-linked role (AWSServiceRoleForECS), for a fresh account where it does not
   * exist yet; one per account, so set it in one environment only (docs/bootstrap.md). @default false
   */
  readonly createEcsServiceLinkedRole?: boolean;
  /**
   * The load-balanced services of the environment, by name (the ECS service name, and part of every
   * physical name of the service). At least one. See ServiceSettings for each field's default.
   */
  readonly services?: Readonly<Record<string, ServiceSettings>>;
  readonly loadBalancer?: LoadBalancerSettings;
  /**
   * A production environment must serve HTTPS (a `domain` or `loadBalancer.certificateArn`) unless it
   * sets `allowPlainHttp`; the policy suite holds it to the production rules. @default false (true in prod)
   */
  readonly production?: boolean;
  /** Serve the services over plain HTTP on port 80: only without a domain or certificate. @default false */
  readonly allowPlainHttp?: boolean;
  /** A DNS name and a DNS-validated certificate for the ALB; with `loadBalancer.certificateArn`, that certificate is used. @default none */
  readonly domain?: DomainSettings;
  readonly waf?: WafSettings;
  /** CloudWatch retention for app and flow logs. @default 30 */
  readonly logRetentionDays?: number;
  readonly image?: ImageSettings;
  /** Remote state. @default none: local state */
  readonly state?: StateSettings;
  /** Alarms, their notifications and ECS Exec (operations-config.ts). @default alarms with the documented thresholds, no subscriptions, no exec */
  readonly operations?: OperationsSettings;
  /** Extra tags on every resource, merged into the provider's default_tags. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Every field resolved; this is what the constructs consume. */
export interface EnvironmentConfig {
  readonly name: string;
  readonly namePrefix: string;
  readonly region: string;
  readonly availabilityZones: readonly string[];
  readonly vpcCidr: string;
  readonly publicSubnetCidrs: readonly string[];
  readonly privateSubnetCidrs: readonly string[];
  readonly natMode: NatMode;
  readonly natInstance: Required<Omit<NatInstanceSettings, 'amiId'>> & Pick<NatInstanceSettings, 'amiId'>;
  readonly flowLogs: boolean;
  readonly flowLogDestination: FlowLogDestination;
  readonly flowLogTraffic: FlowLogTraffic;
  readonly instanceType: string;
  /** Undefined: the launch template leaves the family's default. */
  readonly cpuCredits?: CpuCredits;
  readonly detailedMonitoring: boolean;
  readonly containerInsights: boolean;
  readonly capacity: Required<CapacitySettings>;
  readonly spot: Required<SpotSettings>;
  readonly schedule: Required<ScheduleSettings>;
  readonly reservedMemoryMiB: number;
  readonly amiId?: string;
  readonly createEcsServiceLinkedRole: boolean;
  /** In name order. */
  readonly services: readonly ServiceConfig[];
  readonly loadBalancer: Required<Omit<LoadBalancerSettings, 'certificateArn'>> & { readonly certificateArn?: string };
  readonly production: boolean;
  readonly allowPlainHttp: boolean;
  /** Exactly one of zoneName and zoneId; recordName without a trailing dot. */
  readonly domain?: DomainSettings;
  readonly waf: Required<WafSettings>;
  readonly logRetentionDays: number;
  readonly image: Required<ImageSettings>;
  readonly state?: Required<StateSettings>;
  readonly operations: OperationsConfig;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The ECS agent's default stop timeout (ECS_CONTAINER_STOP_TIMEOUT), in seconds, and the default
 * of every container's `stopTimeoutSeconds`. The host-name app's shutdown phase (20 s) stays below it.
 */
export const CONTAINER_STOP_TIMEOUT_SECONDS = 30;

/** Values CloudWatch Logs accepts for retention_in_days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

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
  /** An image built elsewhere: `registry/repo:tag` or `registry/repo@sha256:…`. @default none */
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
  /** @default 15 */
  readonly intervalSeconds?: number;
  /** @default 5 */
  readonly timeoutSeconds?: number;
  /** @default 3 */
  readonly retries?: number;
  /** @default 60 */
  readonly startPeriodSeconds?: number;
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
  /** @default the profile's: spring-boot runs the image's /usr/local/bin/healthcheck; generic has none */
  readonly healthCheck?: ContainerHealthCheckSettings | 'none';
  /** Seconds between SIGTERM and SIGKILL, 2-120. @default 30 (CONTAINER_STOP_TIMEOUT_SECONDS) */
  readonly stopTimeoutSeconds?: number;
}

export interface TargetGroupSettings {
  /** @default the profile's: spring-boot '/actuator/health/readiness', generic '/health' */
  readonly healthCheckPath?: string;
  /** 5-300. @default 15 */
  readonly healthCheckIntervalSeconds?: number;
  /** 2-10. @default 2 */
  readonly healthyThreshold?: number;
  /** 2-10. @default 3 */
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
   * Target average CPU utilisation (%) for the second tracking policy. @default 60, or the baseline per
   * vCPU of a burstable type with unlimited credits (t3.small: 20), which bills no surplus credits
   */
  readonly cpuTargetPercent?: number;
  /** @default 60 */
  readonly scaleOutCooldownSeconds?: number;
  /** @default 300 */
  readonly scaleInCooldownSeconds?: number;
  /** Seconds ECS ignores ALB health checks after a task starts. @default 60 */
  readonly healthCheckGracePeriodSeconds?: number;
}

/** How a deployment of the service is released and judged. */
export interface DeploymentSettings {
  /**
   * `terraform apply` waits until the service is stable and then fails if ECS rolled the deployment
   * back (the service then runs another task definition than the one applied). @default true
   */
  readonly waitForSteadyState?: boolean;
  /** How long apply waits for the service to be created or updated (the provider's `timeouts`), 5-120. @default 20 */
  readonly timeoutMinutes?: number;
  /**
   * ECS rolls a deployment back when one of the service's deployment alarms (ServiceAlarms:
   * target 5xx rate, unhealthy hosts, p99 latency; thresholds in `operations.alarms`) fires. @default true
   */
  readonly rollbackOnAlarm?: boolean;
}

/** One load-balanced service. Only `image` and a route (`routing`) are required. */
export interface ServiceSettings {
  readonly image: ServiceImageSettings;
  /** @default 'generic' */
  readonly profile?: RuntimeProfile;
  readonly routing?: RoutingSettings;
  readonly container?: ContainerSettings;
  readonly targetGroup?: TargetGroupSettings;
  readonly scaling?: ScalingSettings;
  readonly deployment?: DeploymentSettings;
}

/** A container health check, resolved. */
export type ContainerHealthCheck = Required<ContainerHealthCheckSettings>;

/** A service with every field resolved and validated; the profile is already applied. */
export interface ServiceConfig {
  readonly name: string;
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
  };
  readonly targetGroup: Required<TargetGroupSettings>;
  readonly scaling: Required<ScalingSettings>;
  readonly deployment: Required<DeploymentSettings>;
}
