import { CapacitySettings, CpuCredits, ScheduleSettings, SpotSettings } from '../compute/settings';
import { DomainSettings, LoadBalancerSettings, WafSettings } from '../edge/settings';
import { FlowLogDestination, FlowLogTraffic, NatInstanceSettings, NatMode } from '../network/settings';
import { ServiceConfig, ServiceSettings } from '../services/settings';
import { OperationsConfig, OperationsSettings } from '../operations/settings';

/**
 * The typed environment configuration: what an environment may set (`EnvironmentSettings`,
 * every field optional with a documented default) and what the constructs receive
 * (`EnvironmentConfig`, every field resolved). Environments themselves live in environments.ts.
 */

// Each area's settings, composed here: the stack, the resolver and the tools read one module.
export * from '../compute/settings';
export * from '../edge/settings';
export * from '../network/settings';
export * from '../services/settings';

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

/** Values CloudWatch Logs accepts for retention_in_days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
