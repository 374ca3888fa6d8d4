/**
 * The typed environment configuration: what an environment may set (`EnvironmentSettings`,
 * every field optional with a documented default) and what the constructs receive
 * (`EnvironmentConfig`, every field resolved). Environments themselves live in environments.ts.
 */

export type NatMode = 'per-az' | 'single';
export const NAT_MODES: readonly NatMode[] = ['per-az', 'single'];

export interface CapacitySettings {
  /** Minimum instances in the Auto Scaling group. @default 1 */
  readonly min?: number;
  /** Maximum instances in the Auto Scaling group. @default 2 */
  readonly max?: number;
}

export interface SpotSettings {
  /** Run instances above the on-demand base as Spot. @default false */
  readonly enabled?: boolean;
  /** Instances that stay on-demand whatever the Spot market does. @default 1 */
  readonly onDemandBaseCapacity?: number;
}

export interface TaskSettings {
  /** ECS cpu units for the container (1024 = one vCPU). @default 512 */
  readonly cpu?: number;
  /** Hard memory limit in MiB; the container is killed above it. @default 512 */
  readonly memoryMiB?: number;
  /** Soft limit in MiB that placement reserves on the instance. @default memoryMiB */
  readonly memoryReservationMiB?: number;
  /** Port the app listens on inside the container. @default 8000 */
  readonly containerPort?: number;
}

export interface ServiceSettings {
  /** Tasks at creation; autoscaling owns the count afterwards. @default minTasks */
  readonly desiredCount?: number;
  /** Lower bound for service autoscaling. @default 1 */
  readonly minTasks?: number;
  /** Upper bound for service autoscaling. @default 2 */
  readonly maxTasks?: number;
  /** Target for ALBRequestCountPerTarget tracking, as in the tutorial. @default 50 */
  readonly requestsPerTarget?: number;
  /** Target average CPU utilisation (%) for the second tracking policy. @default 60 */
  readonly cpuTargetPercent?: number;
  /** @default 60 */
  readonly scaleOutCooldownSeconds?: number;
  /** @default 300 */
  readonly scaleInCooldownSeconds?: number;
  /** Seconds ECS ignores ALB health checks after a task starts. @default 60 */
  readonly healthCheckGracePeriodSeconds?: number;
}

export interface LoadBalancerSettings {
  /** ACM certificate ARN; with one, HTTPS serves and HTTP redirects. @default none (HTTP only) */
  readonly certificateArn?: string;
  /** CIDRs allowed to reach the listeners. @default ['0.0.0.0/0'] */
  readonly ingressCidrs?: readonly string[];
  /** @default 60 */
  readonly idleTimeoutSeconds?: number;
  /** @default false (true in prod) */
  readonly deletionProtection?: boolean;
  /** Write access logs to an S3 bucket the stack creates. @default false (true in prod) */
  readonly accessLogs?: boolean;
  /** Days before access log objects expire. @default 90 */
  readonly accessLogExpirationDays?: number;
  /** Target group health check path. @default '/actuator/health/readiness' */
  readonly healthCheckPath?: string;
  /** @default 15 */
  readonly healthCheckIntervalSeconds?: number;
  /** @default 2 */
  readonly healthyThreshold?: number;
  /** @default 3 */
  readonly unhealthyThreshold?: number;
  /** Kept short to match the app's graceful shutdown. @default 30 */
  readonly deregistrationDelaySeconds?: number;
}

export interface ImageSettings {
  /**
   * An image built elsewhere (`registry/repo:tag` or `registry/repo@sha256:…`). When set, the
   * stack has no docker provider and no ECR repository.
   * @default none: build `workload/` with the docker provider and push it to ECR
   */
  readonly uri?: string;
  /** Images the ECR lifecycle policy keeps. @default 20 */
  readonly keepImages?: number;
  /** Let destroy delete the ECR repository with its images. @default false (true in dev) */
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
  /** `per-az` survives an AZ outage; `single` saves a NAT gateway per extra AZ. @default 'single' */
  readonly natMode?: NatMode;
  /** VPC flow logs to CloudWatch. @default false (true in prod) */
  readonly flowLogs?: boolean;
  /** One of the types in instance-types.ts. @default 't2.micro' */
  readonly instanceType?: string;
  readonly capacity?: CapacitySettings;
  readonly spot?: SpotSettings;
  /** MiB the ECS agent holds back for the OS and itself (ECS_RESERVED_MEMORY). @default 256 */
  readonly reservedMemoryMiB?: number;
  readonly task?: TaskSettings;
  readonly service?: ServiceSettings;
  readonly loadBalancer?: LoadBalancerSettings;
  /** CloudWatch retention for app and flow logs. @default 30 */
  readonly logRetentionDays?: number;
  readonly image?: ImageSettings;
  /** Remote state. @default none: local state */
  readonly state?: StateSettings;
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
  readonly flowLogs: boolean;
  readonly instanceType: string;
  readonly capacity: Required<CapacitySettings>;
  readonly spot: Required<SpotSettings>;
  readonly reservedMemoryMiB: number;
  readonly task: Required<TaskSettings>;
  readonly service: Required<ServiceSettings>;
  readonly loadBalancer: Required<Omit<LoadBalancerSettings, 'certificateArn'>> & { readonly certificateArn?: string };
  readonly logRetentionDays: number;
  readonly image: { readonly uri?: string; readonly keepImages: number; readonly forceDelete: boolean };
  readonly state?: Required<StateSettings>;
  readonly tags: Readonly<Record<string, string>>;
}

/** Stop timeout of the container, in seconds. The app's shutdown phase (20 s) must stay below it. */
export const CONTAINER_STOP_TIMEOUT_SECONDS = 30;

/** Values CloudWatch Logs accepts for retention_in_days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
