/**
 * The CloudWatch metrics the alarms and the dashboard watch, named once: namespace, metric name and
 * dimensions per service and per environment. Dimension values are tokens of the watched resources
 * (ARN suffixes, cluster and service names), so they can only point at this stack's resources.
 */
import { Construct } from 'constructs';
import { CloudwatchMetricAlarm, CloudwatchMetricAlarmMetricQuery } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';

export interface Metric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** What identifies one service's metrics. */
export interface WatchedService {
  /** `app/<name>/<id>`: the ALB's arn_suffix. */
  readonly loadBalancerArnSuffix: string;
  /** `targetgroup/<name>/<id>`: the target group's arn_suffix. */
  readonly targetGroupArnSuffix: string;
  /** A blue/green service's second target group: its tasks serve from either. @default none */
  readonly alternateTargetGroupArnSuffix?: string;
  readonly clusterName: string;
  readonly serviceName: string;
}

/** What identifies the environment's shared metrics. */
export interface WatchedEnvironment {
  readonly loadBalancerArnSuffix: string;
  readonly clusterName: string;
  readonly capacityProviderName: string;
  /** The Spot group's capacity provider (spot.enabled). @default none */
  readonly spotCapacityProviderName?: string;
}

export const NAMESPACES = {
  alb: 'AWS/ApplicationELB',
  ecs: 'AWS/ECS',
  containerInsights: 'ECS/ContainerInsights',
  managedScaling: 'AWS/ECS/ManagedScaling',
} as const;

const metric =
  (namespace: string, dimensions: Record<string, string>) =>
  (metricName: string): Metric => ({ namespace, metricName, dimensions });

/** The ALB's metrics of one target group. */
export function targetGroupMetrics(loadBalancerArnSuffix: string, targetGroupArnSuffix: string) {
  const targetGroup = metric(NAMESPACES.alb, { LoadBalancer: loadBalancerArnSuffix, TargetGroup: targetGroupArnSuffix });
  return {
    requests: targetGroup('RequestCount'),
    requestsPerTarget: targetGroup('RequestCountPerTarget'),
    target5xx: targetGroup('HTTPCode_Target_5XX_Count'),
    responseTime: targetGroup('TargetResponseTime'),
    healthyHosts: targetGroup('HealthyHostCount'),
    unhealthyHosts: targetGroup('UnHealthyHostCount'),
  };
}

export function serviceMetrics(s: WatchedService) {
  const service = (namespace: string) => metric(namespace, { ClusterName: s.clusterName, ServiceName: s.serviceName });
  return {
    ...targetGroupMetrics(s.loadBalancerArnSuffix, s.targetGroupArnSuffix),
    cpu: service(NAMESPACES.ecs)('CPUUtilization'),
    memory: service(NAMESPACES.ecs)('MemoryUtilization'),
    runningTasks: service(NAMESPACES.containerInsights)('RunningTaskCount'),
    desiredTasks: service(NAMESPACES.containerInsights)('DesiredTaskCount'),
    pendingTasks: service(NAMESPACES.containerInsights)('PendingTaskCount'),
  };
}

export function environmentMetrics(e: WatchedEnvironment) {
  // ALB-generated 5xx have no TargetGroup dimension (LoadBalancer and AvailabilityZone only): one per ALB.
  const alb = metric(NAMESPACES.alb, { LoadBalancer: e.loadBalancerArnSuffix });
  const cluster = (namespace: string) => metric(namespace, { ClusterName: e.clusterName });
  const reservation = (provider: string) =>
    metric(NAMESPACES.managedScaling, { CapacityProviderName: provider, ClusterName: e.clusterName })('CapacityProviderReservation');
  return {
    requests: alb('RequestCount'),
    elb5xx: alb('HTTPCode_ELB_5XX_Count'),
    capacityReservation: reservation(e.capacityProviderName),
    spotCapacityReservation: e.spotCapacityProviderName === undefined ? undefined : reservation(e.spotCapacityProviderName),
    instances: cluster(NAMESPACES.containerInsights)('ContainerInstanceCount'),
    cpuReservation: cluster(NAMESPACES.ecs)('CPUReservation'),
    memoryReservation: cluster(NAMESPACES.ecs)('MemoryReservation'),
  };
}

/** Every alarm evaluates 1-minute datapoints: standard resolution, the finest ALB and ECS publish. */
export const PERIOD_SECONDS = 60;

/**
 * `treat_missing_data`, chosen per alarm:
 * - `notBreaching` where no datapoint means nothing went wrong: ALB metrics exist only while requests flow
 *   (no requests, no errors, no latency), and 5xx counts are published only when non-zero.
 * - `missing` where the metric is published every minute while the thing exists (ECS utilisation,
 *   Container Insights, managed scaling): a gap is unknown, shown as INSUFFICIENT_DATA, not a page; and
 *   a new alarm does not fire before the first datapoints arrive.
 */
export type MissingData = 'notBreaching' | 'missing';

export interface AlarmSpec {
  readonly alarmName: string;
  readonly description: string;
  /** One metric with a statistic, or metric math whose last query is the value compared. */
  readonly watch:
    | { readonly metric: Metric; readonly statistic: string }
    | {
        readonly queries: readonly { readonly id: string; readonly metric: Metric; readonly stat: string }[];
        readonly expression: string;
        readonly label: string;
      };
  readonly comparison: 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold';
  readonly threshold: number;
  readonly minutes: number;
  readonly missingData: MissingData;
  /** Notified on ALARM and back to OK. */
  readonly actions: readonly string[];
}

/** A metric alarm on 1-minute datapoints that fires after `minutes` consecutive breaching ones. */
export function metricAlarm(scope: Construct, id: string, spec: AlarmSpec): CloudwatchMetricAlarm {
  const w = spec.watch;
  const single =
    'metric' in w
      ? {
          namespace: w.metric.namespace,
          metricName: w.metric.metricName,
          dimensions: { ...w.metric.dimensions },
          period: PERIOD_SECONDS,
          ...(/^p\d/.test(w.statistic) ? { extendedStatistic: w.statistic } : { statistic: w.statistic }),
        }
      : {};
  const math: CloudwatchMetricAlarmMetricQuery[] =
    'queries' in w
      ? [
          ...w.queries.map((q) => ({
            id: q.id,
            returnData: false,
            metric: {
              namespace: q.metric.namespace,
              metricName: q.metric.metricName,
              dimensions: { ...q.metric.dimensions },
              period: PERIOD_SECONDS,
              stat: q.stat,
            },
          })),
          { id: 'value', expression: w.expression, label: w.label, returnData: true },
        ]
      : [];
  return new CloudwatchMetricAlarm(scope, id, {
    alarmName: spec.alarmName,
    alarmDescription: spec.description,
    comparisonOperator: spec.comparison,
    threshold: spec.threshold,
    evaluationPeriods: spec.minutes,
    datapointsToAlarm: spec.minutes,
    treatMissingData: spec.missingData,
    alarmActions: [...spec.actions],
    okActions: [...spec.actions],
    ...single,
    ...(math.length > 0 ? { metricQuery: math } : {}),
  });
}

/** Metric math: `errors` as a percentage of `requests`, 0 below `minimumRequests` a minute (too few to judge). */
export function errorRate(errors: Metric, requests: Metric, minimumRequests: number) {
  return {
    queries: [
      { id: 'errors', metric: errors, stat: 'Sum' },
      { id: 'requests', metric: requests, stat: 'Sum' },
    ],
    // 5xx counts are published only when non-zero: FILL makes a quiet minute 0 %, not a gap.
    expression: `IF(requests >= ${minimumRequests}, 100 * FILL(errors, 0) / requests, 0)`,
    label: `${errors.metricName} % of requests`,
  };
}
