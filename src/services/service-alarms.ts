import { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { ServiceAlarmThresholds } from '../operations/settings';
import { AlarmSpec, errorRate, metricAlarm, serviceMetrics, targetGroupMetrics, WatchedService } from '../operations/metrics';
import { serviceResourceName } from './resolve';

export interface ServiceAlarmsProps {
  readonly namePrefix: string;
  /** The config key (also the ECS service name); alarm names are `<namePrefix>-<service>-<what>`. */
  readonly serviceName: string;
  /** Tokens of the watched resources: ALB and target group arn_suffix, cluster and service names. */
  readonly watched: WatchedService;
  readonly thresholds: ServiceAlarmThresholds;
  /** Below this many requests a minute the 5xx rate counts as 0. */
  readonly minimumRequestsPerMinute: number;
  /** ARNs notified on ALARM and on OK (the environment's alarm topic). */
  readonly actions: readonly string[];
  /** Whether the cluster publishes Container Insights, where the running and desired task counts come from. */
  readonly containerInsights: boolean;
}

/** One service's alarms. Each is a typed field, so the service's deployment can name them. */
export class ServiceAlarms extends Construct {
  /** Target-generated 5xx as a percentage of the service's requests. */
  public readonly target5xxRate: CloudwatchMetricAlarm;
  /** An unhealthy target for `unhealthyHostMinutes`. */
  public readonly unhealthyHosts: CloudwatchMetricAlarm;
  /** p99 TargetResponseTime above the threshold. */
  public readonly p99Latency: CloudwatchMetricAlarm;
  public readonly cpuHigh: CloudwatchMetricAlarm;
  public readonly memoryHigh: CloudwatchMetricAlarm;
  /**
   * Fewer running tasks than desired for `tasksBelowDesiredMinutes`. Only with Container Insights,
   * the one source of those counts: without it the alarm would sit in INSUFFICIENT_DATA forever.
   */
  public readonly tasksBelowDesired?: CloudwatchMetricAlarm;
  /**
   * The alarms that say a new task definition is bad, for the service's `alarms { alarm_names }`:
   * errors, health and latency. Not CPU, memory or task count: load and capacity move those.
   */
  public readonly deploymentAlarms: readonly CloudwatchMetricAlarm[];
  public readonly all: readonly CloudwatchMetricAlarm[];

  private readonly props: ServiceAlarmsProps;
  private readonly metrics: ReturnType<typeof serviceMetrics>;
  /** A blue/green service's second target group's metrics: its deployment alarms watch both. */
  private readonly alternate?: ReturnType<typeof targetGroupMetrics>;

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    this.props = props;
    this.metrics = serviceMetrics(props.watched);
    const alternate = props.watched.alternateTargetGroupArnSuffix;
    this.alternate = alternate === undefined ? undefined : targetGroupMetrics(props.watched.loadBalancerArnSuffix, alternate);
    const t = props.thresholds;
    this.target5xxRate = this.addTarget5xxRate();
    this.unhealthyHosts = this.addUnhealthyHosts();
    this.p99Latency = this.addP99Latency();
    this.cpuHigh = this.addUtilisation('cpu', this.metrics.cpu, t.cpuPercent, "the tasks' cpu units");
    this.memoryHigh = this.addUtilisation('memory', this.metrics.memory, t.memoryPercent, 'the hard limit');
    this.tasksBelowDesired = props.containerInsights ? this.addTasksBelowDesired() : undefined;
    this.deploymentAlarms = [this.target5xxRate, this.unhealthyHosts, this.p99Latency];
    this.all = [
      this.target5xxRate,
      this.unhealthyHosts,
      this.p99Latency,
      this.cpuHigh,
      this.memoryHigh,
      ...(this.tasksBelowDesired ? [this.tasksBelowDesired] : []),
    ];
  }

  /** `<namePrefix>-<service>-<what>`. */
  private alarmName(what: string): string {
    return serviceResourceName(this.props.namePrefix, this.props.serviceName, what);
  }

  private addTarget5xxRate(): CloudwatchMetricAlarm {
    const { thresholds: t, serviceName } = this.props;
    const m = this.metrics;
    return metricAlarm(this, 'target-5xx', {
      actions: this.props.actions,
      alarmName: this.alarmName('target-5xx'),
      description: `${serviceName}: more than ${t.target5xxPercent}% of requests answered 5xx by the app`,
      watch: this.alternate
        ? bothTargetGroupsErrorRate(m, this.alternate, this.props.minimumRequestsPerMinute)
        : errorRate(m.target5xx, m.requests, this.props.minimumRequestsPerMinute),
      comparison: 'GreaterThanThreshold',
      threshold: t.target5xxPercent,
      minutes: t.evaluationMinutes,
      missingData: 'notBreaching',
    });
  }

  private addUnhealthyHosts(): CloudwatchMetricAlarm {
    const { thresholds: t, serviceName } = this.props;
    return metricAlarm(this, 'unhealthy-hosts', {
      actions: this.props.actions,
      alarmName: this.alarmName('unhealthy-hosts'),
      description: `${serviceName}: a target failing the ALB health check for ${t.unhealthyHostMinutes} minutes`,
      watch: this.worstOfBoth('unhealthyHosts', 'Maximum', 'UnHealthyHostCount, the higher of both target groups'),
      comparison: 'GreaterThanThreshold',
      threshold: 0,
      minutes: t.unhealthyHostMinutes,
      // Published while requests flow; a quiet ALB is not an unhealthy host (tasks-below-desired, with Container Insights, covers no tasks).
      missingData: 'notBreaching',
    });
  }

  private addP99Latency(): CloudwatchMetricAlarm {
    const { thresholds: t, serviceName } = this.props;
    return metricAlarm(this, 'p99-latency', {
      actions: this.props.actions,
      alarmName: this.alarmName('p99-latency'),
      description: `${serviceName}: p99 response time above ${t.p99LatencySeconds} s`,
      watch: this.worstOfBoth('responseTime', 'p99', 'TargetResponseTime p99, the higher of both target groups'),
      comparison: 'GreaterThanThreshold',
      threshold: t.p99LatencySeconds,
      minutes: t.evaluationMinutes,
      missingData: 'notBreaching',
    });
  }

  /** One target group's metric, or for a blue/green service the higher of its two target groups' (the replacement's during a deployment). */
  private worstOfBoth(key: 'unhealthyHosts' | 'responseTime', statistic: string, label: string): AlarmSpec['watch'] {
    if (!this.alternate) return { metric: this.metrics[key], statistic };
    return {
      queries: [
        { id: 'first', metric: this.metrics[key], stat: statistic },
        { id: 'second', metric: this.alternate[key], stat: statistic },
      ],
      expression: 'MAX([first, second])',
      label,
    };
  }

  private addUtilisation(what: 'cpu' | 'memory', metric: typeof this.metrics.cpu, percent: number, of: string): CloudwatchMetricAlarm {
    return metricAlarm(this, `${what}-high`, {
      actions: this.props.actions,
      alarmName: this.alarmName(`${what}-high`),
      description: `${this.props.serviceName}: average ${what === 'cpu' ? 'CPU' : what} above ${percent}% of ${of}`,
      watch: { metric, statistic: 'Average' },
      comparison: 'GreaterThanThreshold',
      threshold: percent,
      minutes: this.props.thresholds.evaluationMinutes,
      missingData: 'missing',
    });
  }

  private addTasksBelowDesired(): CloudwatchMetricAlarm {
    const { thresholds: t, serviceName } = this.props;
    return metricAlarm(this, 'tasks-below-desired', {
      actions: this.props.actions,
      alarmName: this.alarmName('tasks-below-desired'),
      description: `${serviceName}: fewer running tasks than desired for ${t.tasksBelowDesiredMinutes} minutes`,
      watch: {
        queries: [
          { id: 'running', metric: this.metrics.runningTasks, stat: 'Average' },
          { id: 'desired', metric: this.metrics.desiredTasks, stat: 'Average' },
        ],
        expression: 'desired - running',
        label: 'desired - running tasks',
      },
      comparison: 'GreaterThanThreshold',
      threshold: 0,
      minutes: t.tasksBelowDesiredMinutes,
      missingData: 'missing',
    });
  }
}

/** The app's 5xx as a percentage of the requests both target groups of a blue/green service served. */
function bothTargetGroupsErrorRate(
  first: ReturnType<typeof targetGroupMetrics>,
  second: ReturnType<typeof targetGroupMetrics>,
  minimumRequests: number,
): AlarmSpec['watch'] {
  return {
    queries: [
      { id: 'errors1', metric: first.target5xx, stat: 'Sum' },
      { id: 'errors2', metric: second.target5xx, stat: 'Sum' },
      { id: 'requests1', metric: first.requests, stat: 'Sum' },
      { id: 'requests2', metric: second.requests, stat: 'Sum' },
    ],
    // As errorRate, over the sum of both: the idle target group publishes nothing, which SUM skips.
    expression: `IF(SUM([requests1, requests2]) >= ${minimumRequests}, 100 * FILL(SUM([errors1, errors2]), 0) / SUM([requests1, requests2]), 0)`,
    label: `${first.target5xx.metricName} % of requests, both target groups`,
  };
}
