import { Construct } from 'constructs';
import { TerraformResource } from 'cdktf';
import { AppautoscalingScheduledAction } from '@cdktf/provider-aws/lib/appautoscaling-scheduled-action';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { AutoscalingSchedule } from '@cdktf/provider-aws/lib/autoscaling-schedule';
import { scheduleTimes, timeToMinutes, unixCronDays } from './schedule-times';
import { Capacity } from './settings';
import { environmentNames } from '../shared/names';

/**
 * Scheduled action names, `<base>-start` and `<base>-stop`: the instances' base is the name prefix,
 * the NAT's `<namePrefix>-nat`, a service's its resource name. `npm run ops -- wake` finds them by these.
 */
export const scheduledActionName = (base: string, phase: 'start' | 'stop') => `${base}-${phase}`;
export const natScheduleBase = (namePrefix: string) => environmentNames(namePrefix).natInstance;

/**
 * Where a scheduled action leaves a size unchanged (provider: -1 sends no value). The instances' stop
 * lowers only min_size: managed termination protection keeps instances protected from scale-in, so
 * AWS can't remove them at a desired capacity set to 0; ECS managed scaling scales the group in once
 * their tasks are gone (docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-termination-protection.html).
 */
export const UNCHANGED = -1;

/** One service's scaling range in working hours. */
export interface ScheduledService {
  /** Physical name prefix of its scheduled actions, `<namePrefix>-<service>`. */
  readonly name: string;
  readonly scalingTarget: AppautoscalingTarget;
  readonly minTasks: number;
  readonly maxTasks: number;
}

export interface WorkingHoursScheduleProps {
  /** Names are `<namePrefix>-start` and `<namePrefix>-stop` (instances), `<namePrefix>-nat-start` and `-nat-stop`. */
  readonly namePrefix: string;
  /** IANA time zone of `start` and `stop`. */
  readonly timeZone: string;
  /** Day names as a cron day-of-week field, e.g. 'MON-FRI' (validated by the config). */
  readonly days: string;
  /** 'HH:MM'. */
  readonly start: string;
  /** 'HH:MM'; the instances follow SCHEDULE_INSTANCE_DELAY_MINUTES later, the same day. */
  readonly stop: string;
  /**
   * The NAT instance's group (natMode 'instance'): one instance from SCHEDULE_NAT_MARGIN_MINUTES before
   * `start` to as long after the instances' scale-in, none the rest. @default none: no NAT instance
   */
  readonly natAutoScalingGroup?: AutoscalingGroup;
  /** The container instances, and their size in working hours. */
  readonly autoScalingGroup: AutoscalingGroup;
  /**
   * The Spot group (spot.enabled). Its minimum is 0 at all hours, so its instances follow their tasks:
   * ECS scales it in as the services stop. Its actions keep that minimum and set its maximum at
   * `start`, as for the on-demand group. @default none
   */
  readonly spotAutoScalingGroup?: AutoscalingGroup;
  readonly capacity: Capacity;
  readonly services: readonly ScheduledService[];
}

/**
 * Scales an environment to zero outside working hours and back: services first (Application Auto
 * Scaling scheduled actions on each scalable target), then the instances' minimum to 0, from where ECS
 * managed scaling removes them as their tasks go; at `start` both come back to their ranges.
 * A NAT instance, when there is one, brackets it all: up before the instances boot (they need egress
 * to register with ECS), down after they are gone. The scheduled actions own the sizes from then on,
 * so Terraform stops resetting them.
 */
export class WorkingHoursSchedule extends Construct {
  public readonly serviceActions: readonly AppautoscalingScheduledAction[];
  public readonly instanceActions: readonly AutoscalingSchedule[];
  /** Empty without a NAT instance. */
  public readonly natActions: readonly AutoscalingSchedule[];
  /** Empty without Spot. */
  public readonly spotInstanceActions: readonly AutoscalingSchedule[];

  constructor(scope: Construct, id: string, props: WorkingHoursScheduleProps) {
    super(scope, id);
    const times = scheduleTimes(props.start, props.stop);
    this.serviceActions = props.services.flatMap((service) => this.addServiceActions(props, service));
    this.instanceActions = this.addGroupActions(
      props,
      props.autoScalingGroup,
      'instances',
      props.namePrefix,
      { at: times.start, min: props.capacity.min, max: props.capacity.max, desired: props.capacity.min },
      { at: times.instancesStop, min: 0, max: UNCHANGED, desired: UNCHANGED },
    );
    const spot = props.spotAutoScalingGroup;
    // Desired unchanged at start: managed scaling may be raising it for the services starting then.
    this.spotInstanceActions = spot
      ? this.addGroupActions(
          props,
          spot,
          'spot-instances',
          environmentNames(props.namePrefix).spotAutoScalingGroup,
          { at: times.start, min: 0, max: props.capacity.max, desired: UNCHANGED },
          { at: times.instancesStop, min: 0, max: UNCHANGED, desired: UNCHANGED },
        )
      : [];
    const nat = props.natAutoScalingGroup;
    // One instance: the NAT group's only size (nat-instance.ts). Not a capacity provider's group, so
    // nothing protects its instance: 0/0/0 stops it.
    this.natActions = nat
      ? this.addGroupActions(
          props,
          nat,
          'nat',
          natScheduleBase(props.namePrefix),
          { at: times.natStart, min: 1, max: 1, desired: 1 },
          { at: times.natStop, min: 0, max: 0, desired: 0 },
        )
      : [];
  }

  private addServiceActions(props: WorkingHoursScheduleProps, service: ScheduledService): AppautoscalingScheduledAction[] {
    const target = service.scalingTarget;
    const action = (phase: 'start' | 'stop', at: string, min: number, max: number) =>
      new AppautoscalingScheduledAction(this, `${service.name}-${phase}`, {
        name: scheduledActionName(service.name, phase),
        serviceNamespace: target.serviceNamespace,
        resourceId: target.resourceId,
        scalableDimension: target.scalableDimension,
        schedule: `cron(${awsCronTime(at)} ? * ${props.days} *)`,
        timezone: props.timeZone,
        scalableTargetAction: { minCapacity: String(min), maxCapacity: String(max) },
      });
    ignoreChanges(target, ['min_capacity', 'max_capacity']);
    return [action('start', props.start, service.minTasks, service.maxTasks), action('stop', props.stop, 0, 0)];
  }

  /** Scheduled actions `<base>-start` and `-stop` on a group, construct ids `<id>-start` and `-stop`. */
  private addGroupActions(
    props: WorkingHoursScheduleProps,
    asg: AutoscalingGroup,
    id: string,
    base: string,
    up: { at: string } & GroupSizes,
    down: { at: string } & GroupSizes,
  ): AutoscalingSchedule[] {
    const days = unixCronDays(props.days);
    const action = (phase: 'start' | 'stop', at: string, sizes: GroupSizes) =>
      new AutoscalingSchedule(this, `${id}-${phase}`, {
        scheduledActionName: scheduledActionName(base, phase),
        autoscalingGroupName: asg.name,
        recurrence: `${awsCronTime(at)} * * ${days}`,
        timeZone: props.timeZone,
        // All three, always: the provider sends an unset size as 0; UNCHANGED (-1) sends none.
        minSize: sizes.min,
        maxSize: sizes.max,
        desiredCapacity: sizes.desired,
      });
    // desired_capacity too: an apply after hours would otherwise start the group.
    ignoreChanges(asg, ['desired_capacity', 'min_size', 'max_size']);
    return [action('start', up.at, up), action('stop', down.at, down)];
  }
}

/** An Auto Scaling group's sizes at one scheduled action. */
interface GroupSizes {
  readonly min: number;
  readonly max: number;
  readonly desired: number;
}

/** 'HH:MM' -> 'M H', the first two fields of both cron dialects. */
function awsCronTime(time: string): string {
  const minutes = timeToMinutes(time);
  return `${minutes % 60} ${Math.floor(minutes / 60)}`;
}

/** Adds attributes to a resource's lifecycle.ignore_changes, keeping what is there. */
function ignoreChanges(resource: TerraformResource, attributes: readonly string[]): void {
  const current = resource.lifecycle?.ignoreChanges;
  if (current === 'all') return;
  resource.lifecycle = { ...resource.lifecycle, ignoreChanges: [...new Set([...(current ?? []), ...attributes])] };
}
