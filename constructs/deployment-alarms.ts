import { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { serviceResourceName } from './service-config';

export interface DeploymentAlarmsProps {
  readonly namePrefix: string;
  readonly serviceName: string;
  /** The ALB and the service's target group: the metrics' dimensions. */
  readonly loadBalancer: Lb;
  readonly targetGroup: LbTargetGroup;
  /** HTTPCode_Target_5XX_Count in one minute at or above which the 5xx alarm fires. */
  readonly target5xxPerMinute: number;
}

/**
 * The alarms ECS watches during a deployment of one service (the service's `alarms` block): 5xx
 * answers from its targets, and targets failing the ALB health check. Either in ALARM during a
 * deployment rolls it back. Kept apart from the service so that the operations alarms (issue 15)
 * can replace or extend `alarmNames` without touching the service construct.
 */
export class DeploymentAlarms extends Construct {
  public readonly target5xx: CloudwatchMetricAlarm;
  public readonly unhealthyHosts: CloudwatchMetricAlarm;
  /** What the service's `alarms.alarm_names` gets. */
  public readonly alarmNames: readonly string[];

  constructor(scope: Construct, id: string, props: DeploymentAlarmsProps) {
    super(scope, id);
    const name = (suffix: string) => serviceResourceName(props.namePrefix, props.serviceName, suffix);
    const dimensions = { LoadBalancer: props.loadBalancer.arnSuffix, TargetGroup: props.targetGroup.arnSuffix };
    const common = {
      namespace: 'AWS/ApplicationELB',
      dimensions,
      period: 60,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      // No traffic is no evidence of a bad deployment.
      treatMissingData: 'notBreaching',
    };

    this.target5xx = new CloudwatchMetricAlarm(this, 'target-5xx', {
      ...common,
      alarmName: name('target-5xx'),
      alarmDescription: `${props.serviceName}: its targets answered 5xx in 2 consecutive minutes; rolls a running deployment back`,
      metricName: 'HTTPCode_Target_5XX_Count',
      statistic: 'Sum',
      threshold: props.target5xxPerMinute,
      evaluationPeriods: 2,
    });
    // A new task is "initial", not unhealthy, while its first checks run: this counts only real failures.
    this.unhealthyHosts = new CloudwatchMetricAlarm(this, 'unhealthy-hosts', {
      ...common,
      alarmName: name('unhealthy-hosts'),
      alarmDescription: `${props.serviceName}: a target failed the ALB health check for 3 minutes; rolls a running deployment back`,
      metricName: 'UnHealthyHostCount',
      statistic: 'Maximum',
      threshold: 1,
      evaluationPeriods: 3,
    });
    this.alarmNames = [this.target5xx.alarmName, this.unhealthyHosts.alarmName];
  }
}
