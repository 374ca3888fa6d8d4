/** Applies the container instances' and cluster's defaults and validates their settings. */
import {
  Capacity,
  CAPACITY_DEFAULTS,
  CapacitySettings,
  COMPUTE_DEFAULTS,
  ComputeConfig,
  ComputeSettings,
  CPU_CREDITS,
  InstanceSpecSettings,
  SCHEDULE_DEFAULTS,
  SCHEDULE_INSTANCE_DELAY_MINUTES,
  SCHEDULE_NAT_MARGIN_MINUTES,
  ScheduleSettings,
  SPOT_DEFAULTS,
} from './settings';
import { ARCHITECTURES, estimatedRegisteredMemoryMiB, INSTANCE_TYPES, InstanceTypeSpec } from './instance-types';
import { dayRanges, DAY_NAMES, isIanaTimeZone, minutesToTime } from './schedule-times';
import { withDefaults } from '../shared/defaults';
import { AMI_ID, Validator } from '../shared/validator';

/** Instance families with CPU credits. */
const BURSTABLE = /^(t2|t3|t3a|t4g)\./;
/** Family, a dot, size: c7i.large, c7i-flex.xlarge, m7i.metal-24xl. */
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;

const DAY = `(${DAY_NAMES.join('|')})`;
const DAYS = new RegExp(`^${DAY}(-${DAY})?(,${DAY}(-${DAY})?)*$`);
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** What of the rest of the environment compute's checks need. */
export interface ComputeContext {
  /** The network runs a NAT instance, which the schedule starts before and stops after the container instances. */
  readonly natInstance: boolean;
}

export function resolveCompute(v: Validator, s: ComputeSettings, context: ComputeContext): ComputeConfig {
  const instanceType = s.instanceType ?? COMPUTE_DEFAULTS.instanceType;
  const spec = resolveInstanceSpec(v, instanceType, s.instanceSpec);

  const capacity = resolveCapacity(s.capacity);
  v.integer('capacity.min', capacity.min, 0, 100);
  v.integer('capacity.max', capacity.max, 1, 100);
  v.integer('capacity.targetCapacityPercent', capacity.targetCapacityPercent, 1, 100);
  v.check('capacity.min', capacity.min, capacity.min <= capacity.max, `at most capacity.max (${capacity.max})`);

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
  const schedule = resolveSchedule(v, s.schedule ?? {}, context.natInstance);

  const spot = withDefaults(SPOT_DEFAULTS, s.spot);
  v.integer('spot.onDemandBaseCapacity', spot.onDemandBaseCapacity, 0, capacity.max);

  const reservedMemoryMiB = s.reservedMemoryMiB ?? COMPUTE_DEFAULTS.reservedMemoryMiB;
  v.integer('reservedMemoryMiB', reservedMemoryMiB, 0, spec.registeredMemoryMiB - 128);
  if (s.amiId !== undefined) v.check('amiId', s.amiId, AMI_ID.test(s.amiId), 'an AMI id: ami- and 8 or 17 hexadecimal digits');

  return {
    instanceType,
    instanceSpec: spec,
    cpuCredits,
    detailedMonitoring: s.detailedMonitoring ?? COMPUTE_DEFAULTS.detailedMonitoring,
    containerInsights: s.containerInsights ?? COMPUTE_DEFAULTS.containerInsights,
    capacity,
    spot,
    schedule,
    reservedMemoryMiB,
    amiId: s.amiId,
  };
}

/** A listed type's spec, or, for any other type, the one the environment gives. */
function resolveInstanceSpec(v: Validator, instanceType: string, given: InstanceSpecSettings | undefined): InstanceTypeSpec {
  const listed = INSTANCE_TYPES[instanceType];
  if (listed !== undefined) {
    v.check(
      'instanceSpec',
      given,
      given === undefined,
      `unset: ${instanceType} is in the instance type table (${listed.vcpus} vCPU, ${listed.memoryMiB} MiB, ${listed.architecture})`,
    );
    return listed;
  }
  v.check(
    'instanceType',
    instanceType,
    given !== undefined,
    // The table is too long to list in one line; its file is one look away.
    'a type listed in src/compute/instance-type-table.ts, or another with instanceSpec { vcpus, memoryMiB, architecture }',
  );
  v.check('instanceType', instanceType, INSTANCE_TYPE.test(instanceType), 'an EC2 instance type name such as c7i.large');
  const { vcpus, memoryMiB, architecture } = given!;
  v.integer('instanceSpec.vcpus', vcpus, 1, 1024);
  v.integer(
    'instanceSpec.memoryMiB',
    memoryMiB,
    1024,
    32 * 1024 * 1024,
    'a whole number of MiB from 1024 (1 GiB) to 33554432 (32 TiB): describe-instance-types MemoryInfo.SizeInMiB',
  );
  v.check('instanceSpec.architecture', architecture, ARCHITECTURES.includes(architecture), `one of ${ARCHITECTURES.join(', ')}`);
  return { vcpus, memoryMiB, registeredMemoryMiB: estimatedRegisteredMemoryMiB(memoryMiB), architecture };
}

export function resolveCapacity(s: CapacitySettings = {}): Capacity {
  return withDefaults(CAPACITY_DEFAULTS, s);
}

function resolveSchedule(v: Validator, given: ScheduleSettings, natInstance: boolean): Required<ScheduleSettings> {
  const schedule = withDefaults(SCHEDULE_DEFAULTS, given);
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
