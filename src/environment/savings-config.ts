/**
 * Defaults and validation of the settings that trade resilience or visibility for cost: the NAT
 * instance, the working-hours schedule, CPU credits, flow log delivery, detailed monitoring and
 * Container Insights. Called by resolveEnvironment (config-validation.ts).
 */
import {
  CPU_CREDITS,
  EnvironmentConfig,
  EnvironmentSettings,
  FLOW_LOG_DESTINATIONS,
  FLOW_LOG_TRAFFIC,
  FlowLogDestination,
  FlowLogTraffic,
  NatMode,
  SCHEDULE_INSTANCE_DELAY_MINUTES,
  SCHEDULE_NAT_MARGIN_MINUTES,
  ScheduleSettings,
} from './config';
import { Validator } from '../shared/validator';
import { dayRanges, DAY_NAMES, isIanaTimeZone, minutesToTime } from '../compute/schedule-times';

/**
 * Graviton types a NAT instance may use, with their baseline network bandwidth in Mbit/s (all burst
 * to 5 Gbit/s for a while; source: the EC2 network performance table for general purpose instances).
 */
export const NAT_INSTANCE_TYPES: Readonly<Record<string, { readonly baselineMbps: number }>> = {
  't4g.nano': { baselineMbps: 32 },
  't4g.micro': { baselineMbps: 64 },
  't4g.small': { baselineMbps: 128 },
  't4g.medium': { baselineMbps: 256 },
};

/** Instance families with CPU credits. */
const BURSTABLE = /^(t2|t3|t3a|t4g)\./;

const DAY = `(${DAY_NAMES.join('|')})`;
const DAYS = new RegExp(`^${DAY}(-${DAY})?(,${DAY}(-${DAY})?)*$`);
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

type Savings = Pick<
  EnvironmentConfig,
  'natInstance' | 'cpuCredits' | 'detailedMonitoring' | 'containerInsights' | 'flowLogDestination' | 'flowLogTraffic' | 'schedule'
>;

export function resolveSavings(v: Validator, s: EnvironmentSettings, instanceType: string, natMode: NatMode): Savings {
  const natInstance = { instanceType: s.natInstance?.instanceType ?? 't4g.nano', amiId: s.natInstance?.amiId };
  v.check(
    'natInstance.instanceType',
    natInstance.instanceType,
    natInstance.instanceType in NAT_INSTANCE_TYPES,
    `one of ${Object.keys(NAT_INSTANCE_TYPES).join(', ')}`,
  );

  const cpuCredits = s.cpuCredits;
  if (cpuCredits !== undefined) {
    v.check('cpuCredits', cpuCredits, CPU_CREDITS.includes(cpuCredits), `one of ${CPU_CREDITS.join(', ')}`);
    v.check(
      'cpuCredits',
      cpuCredits,
      BURSTABLE.test(instanceType),
      `unset: ${instanceType} is not burstable (only t2, t3, t3a and t4g have CPU credits)`,
    );
  }

  const flowLogDestination: FlowLogDestination = s.flowLogDestination ?? 'cloud-watch-logs';
  v.check(
    'flowLogDestination',
    flowLogDestination,
    FLOW_LOG_DESTINATIONS.includes(flowLogDestination),
    `one of ${FLOW_LOG_DESTINATIONS.join(', ')}`,
  );
  const flowLogTraffic: FlowLogTraffic = s.flowLogTraffic ?? 'ALL';
  v.check('flowLogTraffic', flowLogTraffic, FLOW_LOG_TRAFFIC.includes(flowLogTraffic), `one of ${FLOW_LOG_TRAFFIC.join(', ')}`);

  return {
    natInstance,
    cpuCredits,
    detailedMonitoring: s.detailedMonitoring ?? true,
    containerInsights: s.containerInsights ?? true,
    flowLogDestination,
    flowLogTraffic,
    schedule: resolveSchedule(v, s, natMode === 'instance'),
  };
}

function resolveSchedule(v: Validator, s: EnvironmentSettings, natInstance: boolean): Required<ScheduleSettings> {
  const given = s.schedule ?? {};
  const schedule = {
    enabled: given.enabled ?? false,
    timeZone: given.timeZone ?? 'UTC',
    days: given.days ?? 'MON-FRI',
    start: given.start ?? '08:00',
    stop: given.stop ?? '19:00',
  };
  v.check('schedule.timeZone', schedule.timeZone, isIanaTimeZone(schedule.timeZone), 'an IANA time zone name such as Europe/Berlin or UTC');
  v.check(
    'schedule.days',
    schedule.days,
    DAYS.test(schedule.days) && dayRanges(schedule.days).every(([from, to]) => from <= to),
    'day names SUN MON TUE WED THU FRI SAT as a cron day-of-week field: a range in week order (MON-FRI) or a list (MON,WED,FRI)',
  );
  v.check('schedule.start', schedule.start, TIME.test(schedule.start), 'a time HH:MM (24 h), such as 08:00');
  const { startMargin, stopMargin } = scheduleMargins(natInstance);
  if (natInstance) {
    const earliest = minutesToTime(startMargin);
    v.check(
      'schedule.start',
      schedule.start,
      schedule.start >= earliest,
      `a time HH:MM at ${earliest} or later, so the NAT instance (natMode instance) starts ${SCHEDULE_NAT_MARGIN_MINUTES} min before, the same day`,
    );
  }
  const latest = minutesToTime(24 * 60 - 1 - stopMargin);
  const lastStop = natInstance
    ? `: the instances stop ${SCHEDULE_INSTANCE_DELAY_MINUTES} min later, the NAT instance ${SCHEDULE_NAT_MARGIN_MINUTES} min after, the same day`
    : `, so the instances' scale-in (${SCHEDULE_INSTANCE_DELAY_MINUTES} min later) is the same day`;
  v.check(
    'schedule.stop',
    schedule.stop,
    TIME.test(schedule.stop) && schedule.stop > schedule.start && schedule.stop <= latest,
    `a time HH:MM after start (${schedule.start}) and at most ${latest}${lastStop}`,
  );
  return schedule;
}

/** Minutes before `start` and after `stop` that something of the schedule still acts. */
function scheduleMargins(natInstance: boolean): { startMargin: number; stopMargin: number } {
  const nat = natInstance ? SCHEDULE_NAT_MARGIN_MINUTES : 0;
  return { startMargin: nat, stopMargin: SCHEDULE_INSTANCE_DELAY_MINUTES + nat };
}
