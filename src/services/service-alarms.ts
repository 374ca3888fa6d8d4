import { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { ServiceAlarmThresholds } from '../operations/settings';
import { errorRate, metricAlarm, serviceMetrics, WatchedService } from '../operations/metrics';
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

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const t = props.thresholds;
    const m = serviceMetrics(props.watched);
    const common = { actions: props.actions };
    const name = (what: string) => serviceResourceName(props.namePrefix, props.serviceName, what);

    this.target5xxRate = metricAlarm(this, 'target-5xx', {
      ...common,
      alarmName: name('target-5xx'),
      description: `${props.serviceName}: more than ${t.target5xxPercent}% of requests answered 5xx by the app`,
      watch: errorRate(m.target5xx, m.requests, props.minimumRequestsPerMinute),
      comparison: 'GreaterThanThreshold',
      threshold: t.target5xxPercent,
      minutes: t.evaluationMinutes,
      missingData: 'notBreaching',
    });
    this.unhealthyHosts = metricAlarm(this, 'unhealthy-hosts', {
      ...common,
      alarmName: name('unhealthy-hosts'),
      description: `${props.serviceName}: a target failing the ALB health check for ${t.unhealthyHostMinutes} minutes`,
      watch: { metric: m.unhealthyHosts, statistic: 'Maximum' },
      comparison: 'GreaterThanThreshold',
      threshold: 0,
      minutes: t.unhealthyHostMinutes,
      // Published while requests flow; a quiet ALB is not an unhealthy host (tasks-below-desired, with Container Insights, covers no tasks).
      missingData: 'notBreaching',
    });
    this.p99Latency = metricAlarm(this, 'p99-latency', {
      ...common,
      alarmName: name('p99-latency'),
      description: `${props.serviceName}: p99 response time above ${t.p99LatencySeconds} s`,
      watch: { metric: m.responseTime, statistic: 'p99' },
      comparison: 'GreaterThanThreshold',
      threshold: t.p99LatencySeconds,
      minutes: t.evaluationMinutes,
      missingData: 'notBreaching',
    });
    const utilisation = (what: 'cpu' | 'memory', metric: typeof m.cpu, percent: number, of: string) =>
      metricAlarm(this, `${what}-high`, {
        ...common,
        alarmName: name(`${what}-high`),
        description: `${props.serviceName}: average ${what === 'cpu' ? 'CPU' : what} above ${percent}% of ${of}`,
        watch: { metric, statistic: 'Average' },
        comparison: 'GreaterThanThreshold',
        threshold: percent,
        minutes: t.evaluationMinutes,
        missingData: 'missing',
      });
    this.cpuHigh = utilisation('cpu', m.cpu, t.cpuPercent, "the tasks' cpu units");
    this.memoryHigh = utilisation('memory', m.memory, t.memoryPercent, 'the hard limit');
    this.tasksBelowDesired = props.containerInsights ? this.addTasksBelowDesired(props, m, name) : undefined;
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

  private addTasksBelowDesired(
    props: ServiceAlarmsProps,
    m: ReturnType<typeof serviceMetrics>,
    name: (what: string) => string,
  ): CloudwatchMetricAlarm {
    const t = props.thresholds;
    return metricAlarm(this, 'tasks-below-desired', {
      actions: props.actions,
      alarmName: name('tasks-below-desired'),
      description: `${props.serviceName}: fewer running tasks than desired for ${t.tasksBelowDesiredMinutes} minutes`,
      watch: {
        queries: [
          { id: 'running', metric: m.runningTasks, stat: 'Average' },
          { id: 'desired', metric: m.desiredTasks, stat: 'Average' },
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
