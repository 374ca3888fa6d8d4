/**
 * The `operations` section of an environment: alarm thresholds (per environment, with per-service
 * overrides), who the alarm topic notifies, and ECS Exec: types and defaults, each written here once.
 */
import { Fields, mapOf } from '../shared/known-fields';

/** Thresholds of one service's alarms. Every alarm looks at 1-minute datapoints. */
export interface ServiceAlarmSettings {
  /** Target-generated 5xx as a percentage of the service's requests. @default 5 */
  readonly target5xxPercent?: number;
  /** p99 of TargetResponseTime, in seconds. @default 2 */
  readonly p99LatencySeconds?: number;
  /** Average service CPU utilisation, % of the task's cpu units (bridge mode can exceed 100). @default 90 */
  readonly cpuPercent?: number;
  /** Average service memory utilisation, % of the hard limit. @default 90 */
  readonly memoryPercent?: number;
  /** Consecutive minutes the 5xx, latency, CPU and memory alarms need before they fire. @default 5 */
  readonly evaluationMinutes?: number;
  /** Consecutive minutes with an unhealthy target before the alarm fires. @default 3 */
  readonly unhealthyHostMinutes?: number;
  /**
   * Consecutive minutes with fewer running tasks than desired (Container Insights) before the alarm
   * fires. Long enough for a scale-out that must wait for a new instance. @default 15
   */
  readonly tasksBelowDesiredMinutes?: number;
}

export interface AlarmSettings extends ServiceAlarmSettings {
  /** ALB-generated 5xx (no target answered) as a percentage of all the load balancer's requests. @default 1 */
  readonly loadBalancer5xxPercent?: number;
  /** Requests a minute below which the 5xx rate alarms stay quiet (a 1-in-3 failure is noise). @default 20 */
  readonly minimumRequestsPerMinute?: number;
  /**
   * Consecutive minutes the capacity provider's reservation stays above 100% (tasks waiting for
   * instances the Auto Scaling group cannot add: it is at its max, or launches fail). @default 30
   */
  readonly capacityShortMinutes?: number;
  /** Per-service overrides, by service name; anything not set takes the environment's value. @default {} */
  readonly services?: Readonly<Record<string, ServiceAlarmSettings>>;
}

export interface NotificationSettings {
  /** Email addresses subscribed to the alarm topic (each must confirm the subscription). @default [] */
  readonly emails?: readonly string[];
  /** HTTPS endpoints subscribed to the alarm topic (each must confirm, e.g. a chat webhook relay). @default [] */
  readonly httpsUrls?: readonly string[];
}

export interface ExecSettings {
  /**
   * ECS Exec into the services' containers (`npm run ops -- exec`): SSM channels on the task roles,
   * sessions logged to a KMS-encrypted log group. @default false
   */
  readonly enabled?: boolean;
}

/** Day-2 operations: alarms, their notifications and ECS Exec. */
export interface OperationsSettings {
  readonly alarms?: AlarmSettings;
  readonly notifications?: NotificationSettings;
  readonly exec?: ExecSettings;
}

export type ServiceAlarmThresholds = Required<ServiceAlarmSettings>;

export interface OperationsConfig {
  readonly alarms: {
    readonly loadBalancer5xxPercent: number;
    readonly minimumRequestsPerMinute: number;
    readonly capacityShortMinutes: number;
    /** The environment's evaluationMinutes (the load balancer's 5xx alarm uses it). */
    readonly evaluationMinutes: number;
    /** Resolved thresholds of every service of the environment, by service name. */
    readonly services: Readonly<Record<string, ServiceAlarmThresholds>>;
  };
  readonly notifications: { readonly emails: readonly string[]; readonly httpsUrls: readonly string[] };
  readonly exec: { readonly enabled: boolean };
}

/** Defaults of the service alarm thresholds (documented on ServiceAlarmSettings). */
export const SERVICE_ALARM_DEFAULTS: ServiceAlarmThresholds = {
  target5xxPercent: 5,
  p99LatencySeconds: 2,
  cpuPercent: 90,
  memoryPercent: 90,
  evaluationMinutes: 5,
  unhealthyHostMinutes: 3,
  tasksBelowDesiredMinutes: 15,
};

/** Defaults of the environment-wide alarm settings (documented on AlarmSettings). */
export const ALARM_DEFAULTS = { loadBalancer5xxPercent: 1, minimumRequestsPerMinute: 20, capacityShortMinutes: 30 };
export const EXEC_DEFAULTS = { enabled: false };

const SERVICE_ALARM_FIELDS: Fields<ServiceAlarmSettings> = {
  target5xxPercent: true,
  p99LatencySeconds: true,
  cpuPercent: true,
  memoryPercent: true,
  evaluationMinutes: true,
  unhealthyHostMinutes: true,
  tasksBelowDesiredMinutes: true,
};

/** The operations section's field names, for the unknown-field check (tsc fails when one is missing or extra). */
export const OPERATIONS_FIELDS: Fields<OperationsSettings> = {
  alarms: {
    ...SERVICE_ALARM_FIELDS,
    loadBalancer5xxPercent: true,
    minimumRequestsPerMinute: true,
    capacityShortMinutes: true,
    services: mapOf(SERVICE_ALARM_FIELDS),
  },
  notifications: { emails: true, httpsUrls: true },
  exec: { enabled: true },
};
