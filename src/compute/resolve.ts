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
  SPOT_INSTANCE_TYPES_COUNT,
  SpotConfig,
  SpotSettings,
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

  const spot = resolveSpot(v, s.spot ?? {}, instanceType, spec, cpuCredits !== undefined);

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

/** Settings that were replaced: one clear error naming what to set instead, before the unknown-field check. */
export function checkReplacedComputeFields(v: Validator, s: ComputeSettings): void {
  const spot = s.spot as Record<string, unknown> | undefined;
  if (spot !== undefined && spot !== null && Object.hasOwn(spot, 'onDemandBaseCapacity'))
    v.check(
      'spot.onDemandBaseCapacity',
      spot.onDemandBaseCapacity,
      false,
      "unset: each EC2 service's minTasks run on-demand now, the rest spot.weight:1 Spot; capacity.min sets the on-demand instances",
    );
}

/** Spot's instance types: the given ones, checked, or those derived from instanceType (defaultSpotInstanceTypes). */
function resolveSpot(v: Validator, s: SpotSettings, instanceType: string, spec: InstanceTypeSpec, fixedCredits: boolean): SpotConfig {
  const enabled = s.enabled ?? SPOT_DEFAULTS.enabled;
  const weight = s.weight ?? SPOT_DEFAULTS.weight;
  v.integer('spot.weight', weight, 1, 1000);
  const { min, max } = SPOT_INSTANCE_TYPES_COUNT;
  if (s.instanceTypes === undefined) {
    const derived = enabled ? defaultSpotInstanceTypes(instanceType, spec) : [];
    v.check(
      'spot.instanceTypes',
      s.instanceTypes,
      !enabled || derived.length >= min,
      `${min} to ${max} types like ${instanceType}, listed: the table has ${derived.length} of its kind, at most twice its size (${derived.join(', ') || 'none'})`,
    );
    return { enabled, weight, instanceTypes: derived };
  }
  const types = s.instanceTypes;
  v.check(
    'spot.instanceTypes',
    types,
    Array.isArray(types) && types.length >= min && types.length <= max,
    `a list of ${min} to ${max} instance types`,
  );
  v.check('spot.instanceTypes', types, new Set(types).size === types.length, 'instance types listed once each');
  const burstable = BURSTABLE.test(instanceType);
  for (const type of types) {
    const override = INSTANCE_TYPES[type];
    v.check(
      'spot.instanceTypes',
      type,
      override !== undefined,
      'a type listed in src/compute/instance-type-table.ts (the fit check sizes tasks against it)',
    );
    v.check(
      'spot.instanceTypes',
      type,
      override.architecture === spec.architecture,
      `a type of ${instanceType}'s architecture, ${spec.architecture} (one AMI for the group)`,
    );
    v.check(
      'spot.instanceTypes',
      type,
      similarSize(override, spec),
      `a type of similar size to ${instanceType} (${spec.vcpus} vCPU, ${spec.memoryMiB} MiB): half to twice its vCPUs and memory`,
    );
    v.check(
      'spot.instanceTypes',
      type,
      BURSTABLE.test(type) === burstable,
      `a ${burstable ? '' : 'non-'}burstable type, as ${instanceType} is`,
    );
    v.check('spot.instanceTypes', type, !fixedCredits || BURSTABLE.test(type), 'a burstable type: cpuCredits is set');
  }
  return { enabled, weight, instanceTypes: [...types] };
}

/** Half to twice the vCPUs and memory: close enough that a task sized for one is not lost on another. */
function similarSize(a: InstanceTypeSpec, b: InstanceTypeSpec): boolean {
  const within = (x: number, y: number) => x * 2 >= y && y * 2 >= x;
  return within(a.vcpus, b.vcpus) && within(a.memoryMiB, b.memoryMiB);
}

/**
 * The default Spot overrides: instanceType (when the table lists it), then the table's types of its
 * architecture and burstability with at least its vCPUs and memory and at most twice either, the
 * nearest first (then table order); SPOT_INSTANCE_TYPES_COUNT.max at most. None is smaller than
 * instanceType, so the default sizes tasks as instanceType alone does.
 */
export function defaultSpotInstanceTypes(instanceType: string, spec: InstanceTypeSpec): string[] {
  const burstable = BURSTABLE.test(instanceType);
  const ratio = (a: number, b: number) => Math.log2(a / b);
  const distance = (t: InstanceTypeSpec) => ratio(t.vcpus, spec.vcpus) + ratio(t.memoryMiB, spec.memoryMiB);
  const within = (a: number, b: number) => a >= b && a <= 2 * b;
  const others = Object.entries(INSTANCE_TYPES)
    .filter(
      ([type, t]) =>
        type !== instanceType &&
        t.architecture === spec.architecture &&
        BURSTABLE.test(type) === burstable &&
        within(t.vcpus, spec.vcpus) &&
        within(t.memoryMiB, spec.memoryMiB),
    )
    .sort(([, a], [, b]) => distance(a) - distance(b))
    .map(([type]) => type);
  const own = INSTANCE_TYPES[instanceType] === undefined ? [] : [instanceType];
  return [...own, ...others].slice(0, SPOT_INSTANCE_TYPES_COUNT.max);
}

/** The smallest of each dimension over the types that may run tasks: what the fit check sizes against. */
export function smallestSpec(specs: readonly InstanceTypeSpec[]): InstanceTypeSpec {
  return specs.reduce((a, b) => ({
    vcpus: Math.min(a.vcpus, b.vcpus),
    memoryMiB: Math.min(a.memoryMiB, b.memoryMiB),
    registeredMemoryMiB: Math.min(a.registeredMemoryMiB, b.registeredMemoryMiB),
    architecture: a.architecture,
  }));
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
