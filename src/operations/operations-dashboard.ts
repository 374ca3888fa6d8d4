import { Construct } from 'constructs';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import {
  environmentMetrics,
  Metric,
  PERIOD_SECONDS,
  serviceMetrics,
  targetGroupMetrics,
  WatchedEnvironment,
  WatchedService,
} from './metrics';

export interface DashboardService {
  readonly name: string;
  readonly watched: WatchedService;
}

export interface OperationsDashboardProps {
  readonly dashboardName: string;
  readonly region: string;
  readonly environment: WatchedEnvironment;
  readonly services: readonly DashboardService[];
  /** Shown in an alarm status widget at the top. */
  readonly alarms: readonly CloudwatchMetricAlarm[];
  /** Whether the cluster publishes Container Insights: the instance and task count widgets need it. */
  readonly containerInsights: boolean;
}

/** One metric line of a widget: CloudWatch's array form, with its statistic and label. */
type MetricLine = [string, string, ...(string | Record<string, unknown>)[]];
type Widget = Record<string, unknown>;

const WIDTH = 24;
const HEIGHT = 6;

/**
 * The environment on one page: alarm states; the load balancer and the cluster's instances and
 * capacity; then a row per service with requests and 5xx, p50/p99 latency, healthy and unhealthy
 * hosts, running/desired/pending tasks, and CPU and memory. The instance and task counts come from
 * Container Insights only: without it those widgets are left out rather than shown empty.
 */
export class OperationsDashboard extends Construct {
  public readonly dashboard: CloudwatchDashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const rows: Widget[][] = [
      [{ type: 'alarm', width: WIDTH, height: 3, properties: { title: 'Alarms', alarms: props.alarms.map((a) => a.arn) } }],
      this.environmentRow(props),
      ...props.services.map((s) => this.serviceRow(props.region, s, props.containerInsights)),
    ];
    let y = 0;
    const widgets = rows.flatMap((row) => {
      // CloudWatch's grid is 24 wide, in whole units.
      const width = Math.floor(WIDTH / row.length);
      const placed = row.map((w, i) => ({ x: i * width, y, width, height: HEIGHT, ...w }));
      y += Math.max(...placed.map((w) => w.height as number));
      return placed;
    });
    this.dashboard = new CloudwatchDashboard(this, 'dashboard', {
      dashboardName: props.dashboardName,
      dashboardBody: JSON.stringify({ widgets }),
    });
  }

  private environmentRow(props: OperationsDashboardProps): Widget[] {
    const m = environmentMetrics(props.environment);
    const graph = (title: string, lines: MetricLine[]) => metricWidget(props.region, title, lines);
    return [
      graph('Load balancer: requests and its own 5xx', [line(m.requests, 'Sum', 'requests'), line(m.elb5xx, 'Sum', 'ALB 5xx')]),
      ...(props.containerInsights ? [graph('Cluster: container instances', [line(m.instances, 'Average', 'instances')])] : []),
      graph('Cluster: capacity provider reservation (%)', [
        line(m.capacityReservation, 'Average', 'reservation'),
        ...(m.spotCapacityReservation ? [line(m.spotCapacityReservation, 'Average', 'Spot reservation')] : []),
      ]),
      graph('Cluster: CPU and memory reserved (%)', [
        line(m.cpuReservation, 'Average', 'CPU reserved'),
        line(m.memoryReservation, 'Average', 'memory reserved'),
      ]),
    ];
  }

  private serviceRow(region: string, s: DashboardService, containerInsights: boolean): Widget[] {
    const m = serviceMetrics(s.watched);
    const graph = (title: string, lines: MetricLine[]) => metricWidget(region, `${s.name}: ${title}`, lines);
    // A blue/green service serves from either target group: its second one's lines beside the first's.
    const second = s.watched.alternateTargetGroupArnSuffix;
    const g = second === undefined ? undefined : targetGroupMetrics(s.watched.loadBalancerArnSuffix, second);
    const both = (lines: MetricLine[], more: (t: NonNullable<typeof g>) => MetricLine[]) => (g ? [...lines, ...more(g)] : lines);
    return [
      graph(
        'requests and 5xx',
        both([line(m.requests, 'Sum', 'requests'), line(m.target5xx, 'Sum', 'target 5xx')], (t) => [
          line(t.requests, 'Sum', 'requests (second target group)'),
          line(t.target5xx, 'Sum', 'target 5xx (second target group)'),
        ]),
      ),
      graph(
        'response time (s)',
        both([line(m.responseTime, 'p50', 'p50'), line(m.responseTime, 'p99', 'p99')], (t) => [
          line(t.responseTime, 'p99', 'p99 (second target group)'),
        ]),
      ),
      graph(
        'healthy and unhealthy hosts',
        both([line(m.healthyHosts, 'Minimum', 'healthy'), line(m.unhealthyHosts, 'Maximum', 'unhealthy')], (t) => [
          line(t.healthyHosts, 'Minimum', 'healthy (second target group)'),
          line(t.unhealthyHosts, 'Maximum', 'unhealthy (second target group)'),
        ]),
      ),
      ...(containerInsights
        ? [
            graph('tasks', [
              line(m.runningTasks, 'Average', 'running'),
              line(m.desiredTasks, 'Average', 'desired'),
              line(m.pendingTasks, 'Average', 'pending'),
            ]),
          ]
        : []),
      graph('CPU and memory (%)', [line(m.cpu, 'Average', 'CPU'), line(m.memory, 'Average', 'memory')]),
    ];
  }
}

function line(metric: Metric, stat: string, label: string): MetricLine {
  const dimensions = Object.entries(metric.dimensions).flat();
  return [metric.namespace, metric.metricName, ...dimensions, { stat, label }];
}

function metricWidget(region: string, title: string, metrics: MetricLine[]): Widget {
  return { type: 'metric', properties: { title, region, metrics, period: PERIOD_SECONDS, view: 'timeSeries', stacked: false } };
}
