import { COMPUTE_FIELDS, ComputeConfig, ComputeSettings } from '../compute/settings';
import { EDGE_FIELDS, EdgeConfig, EdgeSettings } from '../edge/settings';
import { NETWORK_FIELDS, NetworkConfig, NetworkSettings } from '../network/settings';
import { SERVICE_FIELDS, ServiceConfig, ServiceSettings } from '../services/settings';
import { OPERATIONS_FIELDS, OperationsConfig, OperationsSettings } from '../operations/settings';
import { Fields, mapOf } from '../shared/known-fields';

/**
 * The typed environment configuration: what an environment may set (`EnvironmentSettings`,
 * every field optional with a documented default) and what the constructs receive
 * (`EnvironmentConfig`, every field resolved). Each area's fields and defaults are in its own
 * settings.ts; the environment-wide ones are here. Environments themselves live in environments.ts.
 */

// Each area's settings, composed here: the stack, the resolver and the tools read one module.
export * from '../compute/settings';
export * from '../edge/settings';
export * from '../network/settings';
export * from '../services/settings';

export interface ImageSettings {
  /** Days after its push an untagged image expires (ECR lifecycle policy); tagged images never expire. @default 14 */
  readonly untaggedImageDays?: number;
  /** Let the registry stack delete this environment's build repository with its images when the environment goes. @default false */
  readonly forceDelete?: boolean;
}

export interface StateSettings {
  /** S3 bucket for remote state. Without it, state is local. */
  readonly bucket: string;
  /** The bucket's region. @default the environment's region */
  readonly region?: string;
}

/** What an environment may set. Every field is optional and has a default. */
export interface EnvironmentSettings extends NetworkSettings, ComputeSettings, EdgeSettings {
  /** Prefix of every resource name; at most 28 characters so ALB names fit in 32. @default `host-name-${name}` */
  readonly namePrefix?: string;
  /** AWS region of the stack. @default 'us-east-1' */
  readonly region?: string;
  /**
   * Create the ECS service-linked role (AWSServiceRoleForECS), for a fresh account where it does not
   * exist yet; one per account, so set it in one environment only (docs/bootstrap.md). @default false
   */
  readonly createEcsServiceLinkedRole?: boolean;
  /**
   * The load-balanced services of the environment, by name (the ECS service name, and part of every
   * physical name of the service). At least one. See ServiceSettings for each field's default.
   * @default one service, host-name, built from workload/ (services/settings.ts DEFAULT_SERVICES)
   */
  readonly services?: Readonly<Record<string, ServiceSettings>>;
  /** CloudWatch retention for app and flow logs. @default 30 */
  readonly logRetentionDays?: number;
  readonly image?: ImageSettings;
  /** Remote state. @default none: local state */
  readonly state?: StateSettings;
  /** Alarms, their notifications and ECS Exec (operations/settings.ts). @default alarms with the documented thresholds, no subscriptions, no exec */
  readonly operations?: OperationsSettings;
  /** Extra tags on every resource, merged into the provider's default_tags. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Every field resolved; this is what the constructs consume. */
export interface EnvironmentConfig extends NetworkConfig, ComputeConfig, EdgeConfig {
  readonly name: string;
  readonly namePrefix: string;
  readonly region: string;
  readonly createEcsServiceLinkedRole: boolean;
  /** In name order. */
  readonly services: readonly ServiceConfig[];
  readonly logRetentionDays: number;
  readonly image: Required<ImageSettings>;
  readonly state?: Required<StateSettings>;
  readonly operations: OperationsConfig;
  readonly tags: Readonly<Record<string, string>>;
}

/** Every field an environment may set, for the unknown-field check (tsc fails when one is missing or extra). */
export const ENVIRONMENT_FIELDS: Fields<EnvironmentSettings> = {
  ...NETWORK_FIELDS,
  ...COMPUTE_FIELDS,
  ...EDGE_FIELDS,
  namePrefix: true,
  region: true,
  createEcsServiceLinkedRole: true,
  services: mapOf(SERVICE_FIELDS),
  logRetentionDays: true,
  image: { untaggedImageDays: true, forceDelete: true },
  state: { bucket: true, region: true },
  operations: OPERATIONS_FIELDS,
  tags: true,
};

/** The environment-wide defaults; namePrefix defaults from the environment's name. */
export const ENVIRONMENT_DEFAULTS = {
  region: 'us-east-1',
  createEcsServiceLinkedRole: false,
  logRetentionDays: 30,
} as const satisfies Partial<EnvironmentConfig>;
export const IMAGE_DEFAULTS: Required<ImageSettings> = { untaggedImageDays: 14, forceDelete: false };

/** Values CloudWatch Logs accepts for retention_in_days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
