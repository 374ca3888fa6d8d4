import { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { environmentMetrics, errorRate, Metric, metricAlarm, WatchedEnvironment } from './metrics';
import { environmentNames } from '../shared/names';

export interface EnvironmentAlarmsProps {
  readonly namePrefix: string;
  /** Tokens of the watched resources: the ALB's arn_suffix, cluster and capacity provider names. */
  readonly watched: WatchedEnvironment;
  readonly loadBalancer5xxPercent: number;
  readonly minimumRequestsPerMinute: number;
  /** Minutes of 1-minute datapoints the 5xx alarm needs (the environment's evaluationMinutes). */
  readonly evaluationMinutes: number;
  readonly capacityShortMinutes: number;
  readonly actions: readonly string[];
}

/** Alarms on what the services share: the load balancer's own 5xx and the cluster's capacity. */
export class EnvironmentAlarms extends Construct {
  /** 5xx the ALB answers itself (no healthy target, target timeouts or resets) as a percentage of its requests. */
  public readonly loadBalancer5xxRate: CloudwatchMetricAlarm;
  /**
   * The capacity provider's reservation above 100% for `capacityShortMinutes`: tasks are waiting for
   * instances the Auto Scaling group does not add (it is at its max, or launches fail). At 100% the
   * cluster is exactly as big as the tasks need, which is where target_capacity 100 keeps it.
   */
  public readonly capacityShort: CloudwatchMetricAlarm;
  /** The same for the Spot capacity provider (spot.enabled): Spot capacity the group cannot get. */
  public readonly spotCapacityShort?: CloudwatchMetricAlarm;
  public readonly all: readonly CloudwatchMetricAlarm[];

  constructor(scope: Construct, id: string, props: EnvironmentAlarmsProps) {
    super(scope, id);
    const m = environmentMetrics(props.watched);
    this.loadBalancer5xxRate = metricAlarm(this, 'alb-5xx', {
      alarmName: environmentNames(props.namePrefix).albErrorsAlarm,
      description: `More than ${props.loadBalancer5xxPercent}% of requests answered 5xx by the load balancer itself`,
      watch: errorRate(m.elb5xx, m.requests, props.minimumRequestsPerMinute),
      comparison: 'GreaterThanThreshold',
      threshold: props.loadBalancer5xxPercent,
      minutes: props.evaluationMinutes,
      missingData: 'notBreaching',
      actions: props.actions,
    });
    const names = environmentNames(props.namePrefix);
    const capacityShort = (id: string, alarmName: string, metric: Metric, group = '') =>
      metricAlarm(this, id, {
        alarmName,
        description: `Tasks waiting for ${group}instances for ${props.capacityShortMinutes} minutes: the Auto Scaling group is at its max or cannot launch`,
        watch: { metric, statistic: 'Minimum' },
        comparison: 'GreaterThanThreshold',
        threshold: 100,
        minutes: props.capacityShortMinutes,
        missingData: 'missing',
        actions: props.actions,
      });
    this.capacityShort = capacityShort('capacity-short', names.capacityShortAlarm, m.capacityReservation);
    if (m.spotCapacityReservation)
      this.spotCapacityShort = capacityShort('spot-capacity-short', names.spotCapacityShortAlarm, m.spotCapacityReservation, 'Spot ');
    this.all = [this.loadBalancer5xxRate, this.capacityShort, ...(this.spotCapacityShort ? [this.spotCapacityShort] : [])];
  }
}
