/** The container instances' settings: an unlisted type's spec, credits, the working-hours schedule, capacity and Spot. */

import { Architecture, InstanceTypeSpec } from './instance-types';
import { Fields } from '../shared/known-fields';

/**
 * An instance type the table (instance-type-table.ts) does not list, as `aws ec2
 * describe-instance-types` describes it. The fit check reads it; the memory ECS registers is
 * estimated from memoryMiB (estimatedRegisteredMemoryMiB in instance-types.ts).
 */
export interface InstanceSpecSettings {
  /** For an instanceType the table does not list, all three are needed (a listed type takes none): its vCPUs, describe-instance-types VCpuInfo.DefaultVCpus. */
  readonly vcpus: number;
  /** Its memory in MiB as EC2 lists it (MemoryInfo.SizeInMiB, e.g. 8192 for 8 GiB); what ECS registers is estimated from it. */
  readonly memoryMiB: number;
  /** Its architecture, `x86_64` or `arm64`: picks the AMI and the image platform. */
  readonly architecture: Architecture;
}

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
  /** Scale to zero outside working hours. @default false */
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
   * or a scale-out place at once instead of waiting for an instance to boot. @default 100
   */
  readonly targetCapacityPercent?: number;
}

/**
 * A second, all-Spot Auto Scaling group and capacity provider beside the on-demand one. Each EC2
 * service's strategy puts its minTasks on on-demand instances and splits the tasks above them
 * `weight`:1 between Spot and on-demand; the agent drains a Spot instance's tasks at its
 * interruption notice, and capacity rebalancing replaces it early.
 */
export interface SpotSettings {
  /** Add the Spot group and capacity provider. @default false */
  readonly enabled?: boolean;
  /**
   * The Spot group's instance types: 3 or 4, each in the instance type table, of instanceType's
   * architecture, burstable if and only if it is, with half to twice its vCPUs and memory. The fit
   * check sizes tasks against the smallest of these and instanceType. @default instanceType, then
   * the table's types of its architecture and burstability with at least its vCPUs and memory and at
   * most twice either, nearest first: 4 at most, e.g. t3.small, t3a.small, t2.medium, t3.medium
   */
  readonly instanceTypes?: readonly string[];
  /** A service's tasks above its minTasks go Spot:on-demand `weight`:1 (a whole number, 1-1000). @default 3 */
  readonly weight?: number;
}

/** What an environment may set about its container instances and cluster. */
export interface ComputeSettings {
  /**
   * A type of src/compute/instance-type-table.ts (generated from AWS data: t2, t3, t3a, t4g and the
   * current m, c and r families up to 4xlarge), or any other with `instanceSpec`. @default 't2.micro'
   */
  readonly instanceType?: string;
  /** Not allowed for a type the table lists. @default none: instanceType must be in the table */
  readonly instanceSpec?: InstanceSpecSettings;
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
}

/** The instances' group as constructs receive it: every field resolved. */
export type Capacity = Required<CapacitySettings>;

/** Spot as constructs receive it: instanceTypes derived from instanceType unless given. */
export type SpotConfig = { readonly enabled: boolean; readonly instanceTypes: readonly string[]; readonly weight: number };

/** The container instances and cluster as constructs receive them: every field resolved. */
export interface ComputeConfig {
  readonly instanceType: string;
  /** From the table, or from the settings' instanceSpec. */
  readonly instanceSpec: InstanceTypeSpec;
  /** Undefined: the launch template leaves the family's default. */
  readonly cpuCredits?: CpuCredits;
  readonly detailedMonitoring: boolean;
  readonly containerInsights: boolean;
  readonly capacity: Capacity;
  readonly spot: SpotConfig;
  readonly schedule: Required<ScheduleSettings>;
  readonly reservedMemoryMiB: number;
  readonly amiId?: string;
}

/** The container instances' root volume: the ECS-optimized AMI's own size, which holds the images the instance pulls. */
export const ROOT_VOLUME_GIB = 30;

/** The one place capacity's defaults are written (the JSDoc @default above says the same). */
export const CAPACITY_DEFAULTS: Capacity = { min: 1, max: 4, targetCapacityPercent: 100 };
/** instanceTypes has no fixed default: resolve.ts derives it from instanceType (spotInstanceTypes). */
export const SPOT_DEFAULTS = { enabled: false, weight: 3 } as const satisfies Partial<SpotConfig>;
/** How many instance types the Spot group takes: diversified, yet all of a similar size. */
export const SPOT_INSTANCE_TYPES_COUNT = { min: 3, max: 4 } as const;
export const SCHEDULE_DEFAULTS: Required<ScheduleSettings> = {
  enabled: false,
  timeZone: 'UTC',
  days: 'MON-FRI',
  start: '08:00',
  stop: '19:00',
};
export const COMPUTE_DEFAULTS = {
  instanceType: 't2.micro',
  detailedMonitoring: true,
  containerInsights: true,
  reservedMemoryMiB: 256,
} as const satisfies Partial<ComputeConfig>;

/** The container instances' field names, for the unknown-field check (tsc fails when one is missing or extra). */
export const COMPUTE_FIELDS: Fields<ComputeSettings> = {
  instanceType: true,
  instanceSpec: { vcpus: true, memoryMiB: true, architecture: true },
  cpuCredits: true,
  detailedMonitoring: true,
  containerInsights: true,
  capacity: { min: true, max: true, targetCapacityPercent: true },
  spot: { enabled: true, instanceTypes: true, weight: true },
  schedule: { enabled: true, timeZone: true, days: true, start: true, stop: true },
  reservedMemoryMiB: true,
  amiId: true,
};
