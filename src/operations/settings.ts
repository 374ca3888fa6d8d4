/**
 * The `operations` section of an environment: alarm thresholds (per environment, with per-service
 * overrides), who the alarm topic notifies, and ECS Exec. Types, defaults and validation live here;
 * resolveEnvironment (environment/resolve.ts) calls resolveOperations.
 */
import { Validator } from '../shared/validator';

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
   * sessions logged to a KMS-encrypted log group. @default false (true in dev)
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

/** CloudWatch evaluates at most a day of 1-minute datapoints (evaluation_periods x period <= 86400 s). */
const MAX_MINUTES = 1440;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const HTTPS_URL = /^https:\/\/[^\s/?#]+[^\s]*$/;

/** Applies defaults and validates; `services` are the environment's service names. */
export function resolveOperations(v: Validator, services: readonly string[], s: OperationsSettings = {}): OperationsConfig {
  const a = s.alarms ?? {};
  const alarms = {
    loadBalancer5xxPercent: a.loadBalancer5xxPercent ?? 1,
    minimumRequestsPerMinute: a.minimumRequestsPerMinute ?? 20,
    capacityShortMinutes: a.capacityShortMinutes ?? 30,
  };
  percent(v, 'operations.alarms.loadBalancer5xxPercent', alarms.loadBalancer5xxPercent, 100);
  v.integer('operations.alarms.minimumRequestsPerMinute', alarms.minimumRequestsPerMinute, 0, 1_000_000);
  v.integer('operations.alarms.capacityShortMinutes', alarms.capacityShortMinutes, 1, MAX_MINUTES);

  const overrides = a.services ?? {};
  for (const name of Object.keys(overrides)) {
    v.check('operations.alarms.services', name, services.includes(name), `names of this environment's services (${services.join(', ')})`);
  }
  const base = serviceThresholds(v, 'operations.alarms', SERVICE_ALARM_DEFAULTS, a);
  const perService = Object.fromEntries(
    services.map((name) => [name, serviceThresholds(v, `operations.alarms.services.${name}`, base, overrides[name] ?? {})]),
  );

  const n = s.notifications ?? {};
  const notifications = { emails: n.emails ?? [], httpsUrls: n.httpsUrls ?? [] };
  notifications.emails.forEach((e, i) => v.check(`operations.notifications.emails[${i}]`, e, EMAIL.test(e), 'an email address'));
  notifications.httpsUrls.forEach((u, i) => v.check(`operations.notifications.httpsUrls[${i}]`, u, HTTPS_URL.test(u), 'an https:// URL'));
  for (const field of ['emails', 'httpsUrls'] as const) {
    const list = notifications[field];
    v.check(`operations.notifications.${field}`, list, new Set(list).size === list.length, 'no endpoint twice');
  }

  return {
    alarms: { ...alarms, evaluationMinutes: base.evaluationMinutes, services: perService },
    notifications,
    exec: { enabled: s.exec?.enabled ?? false },
  };
}

function serviceThresholds(v: Validator, at: string, base: ServiceAlarmThresholds, s: ServiceAlarmSettings): ServiceAlarmThresholds {
  const t: ServiceAlarmThresholds = {
    target5xxPercent: s.target5xxPercent ?? base.target5xxPercent,
    p99LatencySeconds: s.p99LatencySeconds ?? base.p99LatencySeconds,
    cpuPercent: s.cpuPercent ?? base.cpuPercent,
    memoryPercent: s.memoryPercent ?? base.memoryPercent,
    evaluationMinutes: s.evaluationMinutes ?? base.evaluationMinutes,
    unhealthyHostMinutes: s.unhealthyHostMinutes ?? base.unhealthyHostMinutes,
    tasksBelowDesiredMinutes: s.tasksBelowDesiredMinutes ?? base.tasksBelowDesiredMinutes,
  };
  percent(v, `${at}.target5xxPercent`, t.target5xxPercent, 100);
  v.check(
    `${at}.p99LatencySeconds`,
    t.p99LatencySeconds,
    Number.isFinite(t.p99LatencySeconds) && t.p99LatencySeconds > 0 && t.p99LatencySeconds <= 4000,
    'seconds above 0, at most 4000 (the ALB idle timeout limit)',
  );
  percent(v, `${at}.cpuPercent`, t.cpuPercent, 1000);
  percent(v, `${at}.memoryPercent`, t.memoryPercent, 100);
  for (const field of ['evaluationMinutes', 'unhealthyHostMinutes', 'tasksBelowDesiredMinutes'] as const) {
    v.integer(`${at}.${field}`, t[field], 1, MAX_MINUTES);
  }
  return t;
}

function percent(v: Validator, field: string, value: number, max: number): void {
  v.check(field, value, Number.isFinite(value) && value > 0 && value <= max, `a percentage above 0, at most ${max}`);
}
