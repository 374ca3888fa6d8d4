/**
 * Usage the synthesized JSON cannot tell: traffic, log volume, image sizes. Every estimate that
 * depends on one of these says so in its line, and the README lists them. They are deliberately
 * round numbers for a lightly used service; change them here, not in the pricers.
 */
export const ASSUMPTIONS = {
  /** ALB: average LCUs per hour (1 LCU = 25 new connections/s, 3,000 active, 1 GB/h or 1,000 rule evaluations/s). */
  albLcu: 1,
  /** NLB: average NLCUs per hour. */
  nlbLcu: 1,
  /** GB a NAT gateway processes per month: ECR API, CloudWatch Logs and metrics, ECS agent, SSM (image layers take the S3 endpoint). */
  natGbPerGateway: 5,
  /** GB an interface endpoint processes per month. */
  interfaceEndpointGb: 1,
  /** GB ingested per month into a log group that no flow log writes to (the app's JSON log at light traffic). */
  appLogGbPerGroup: 1,
  /** GB per month one VPC flow log (traffic_type ALL, CloudWatch or S3) delivers for a small VPC: health checks, NAT, agents. */
  flowLogGbAll: 5,
  /** Fraction of ALL that REJECT-only (or ACCEPT-only) flow logs deliver. */
  flowLogFilteredFraction: 0.25,
  /** Months a log group keeps data when it has no retention (never expires): a year of it, so the line is not zero. */
  logMonthsWithoutRetention: 12,
  /**
   * Container Insights (standard, not enhanced observability) custom metrics, ECS/ContainerInsights
   * namespace, counted from the metric list in the CloudWatch docs:
   * per cluster (ClusterName): ContainerInstanceCount, CpuReserved, CpuUtilized, MemoryReserved,
   *   MemoryUtilized, NetworkRxBytes, NetworkTxBytes, ServiceCount, StorageReadBytes, StorageWriteBytes, TaskCount = 11;
   * per service (ClusterName, ServiceName): the 8 resource metrics plus DeploymentCount,
   *   DesiredTaskCount, PendingTaskCount, RunningTaskCount, TaskSetCount = 13;
   * per task definition family (ClusterName, TaskDefinitionFamily): the 8 resource metrics = 8.
   */
  containerInsightsMetrics: { cluster: 11, service: 13, taskFamily: 8 },
  /** GB of Container Insights performance log events per running task per month (~2.5 KB a minute). */
  containerInsightsLogGbPerTask: 0.1,
  /** EC2 detailed monitoring: metrics per instance billed as custom metrics (the CloudWatch pricing page's example). */
  detailedMonitoringMetricsPerInstance: 7,
  /** ECS-optimized AMI root volume when a launch template sets no size. */
  defaultRootVolumeGb: 30,
  /** Compressed size of one image in ECR, GB (a JRE base plus the app; shared layers not deducted: an upper bound). */
  ecrImageGb: 0.15,
  /** Images a repository holds when no lifecycle policy expires them. */
  ecrImagesWithoutLifecycle: 50,
  /** GB of ALB access logs written per month per load balancer. */
  albAccessLogGbPerMonth: 1,
  /** ALB access log objects: one per load balancer node (subnet) every 5 minutes. */
  albAccessLogPutsPerNodePerMonth: 8760,
  /** GB stored in any other bucket. */
  bucketGb: 1,
  /** Months an object lives without a lifecycle expiry, for log buckets. */
  bucketMonthsWithoutExpiry: 12,
  /** KMS requests per customer managed key per month, in 10,000s. */
  kmsRequests10kPerKey: 1,
  /** Route 53 queries per month per non-alias record, millions (alias queries to AWS resources are free). */
  route53QueriesMillionPerRecord: 0.1,
  /** WAF: requests per month per web ACL, millions. */
  wafRequestsMillion: 1,
  /** SNS publishes per month per topic, millions (alarm notifications). */
  snsPublishesMillion: 0.01,
  /** Secrets Manager API calls per secret per month, in 10,000s (task starts, rotations). */
  secretsApiCalls10k: 1,
  /**
   * How much less than on-demand Spot capacity is assumed to cost, percent: EC2 Spot instances
   * (priced from the on-demand rate of the group's first override) and Fargate Spot tasks (from the
   * Fargate price). Spot prices move with supply and demand, by type, AZ and hour, and the table
   * holds no live ones: AWS quotes "up to 90%" off for EC2 Spot (https://aws.amazon.com/ec2/spot/pricing/,
   * each type's average saving in the Spot Instance Advisor) and "up to 70%" for Fargate Spot
   * (https://aws.amazon.com/fargate/pricing/). 60% stays below both; `npm run cost -- --spot-discount <percent>` changes it.
   */
  spotDiscountPercent: 60,
};

export type Assumptions = Readonly<typeof ASSUMPTIONS>;
