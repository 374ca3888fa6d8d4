/** Applies the operations defaults and validates the `operations` section. */
import {
  ALARM_DEFAULTS,
  EXEC_DEFAULTS,
  OperationsConfig,
  OperationsSettings,
  SERVICE_ALARM_DEFAULTS,
  ServiceAlarmSettings,
  ServiceAlarmThresholds,
} from './settings';
import { withDefaults } from '../shared/defaults';
import { Validator } from '../shared/validator';

/** CloudWatch evaluates at most a day of 1-minute datapoints (evaluation_periods x period <= 86400 s). */
const MAX_MINUTES = 1440;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const HTTPS_URL = /^https:\/\/[^\s/?#]+[^\s]*$/;

/** Applies defaults and validates; `services` are the environment's service names. */
export function resolveOperations(v: Validator, services: readonly string[], s: OperationsSettings = {}): OperationsConfig {
  const a = s.alarms ?? {};
  const alarms = withDefaults(ALARM_DEFAULTS, a);
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
    exec: withDefaults(EXEC_DEFAULTS, s.exec),
  };
}

function serviceThresholds(v: Validator, at: string, base: ServiceAlarmThresholds, s: ServiceAlarmSettings): ServiceAlarmThresholds {
  const t = withDefaults(base, s);
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
