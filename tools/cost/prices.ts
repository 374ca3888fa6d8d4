/**
 * The committed price table: on-demand list prices in USD per region, and the Terraform types
 * that cost nothing. `npm run cost` reads only this file for prices; nothing is fetched.
 *
 * Source: the AWS public pricing pages, whose figures are the Price List API's offer files
 * (offer codes in brackets): Amazon EC2 on-demand, Linux, shared tenancy [AmazonEC2]; Amazon VPC
 * NAT gateway, public IPv4 addresses, interface endpoints [AmazonVPC, AmazonEC2]; Elastic Load
 * Balancing [AWSELB]; Amazon EBS [AmazonEC2]; Amazon CloudWatch metrics, alarms, dashboards, logs and
 * vended logs [AmazonCloudWatch]; Amazon ECR [AmazonECR]; Amazon S3 Standard [AmazonS3]; AWS KMS
 * [awskms]; Amazon Route 53 [AmazonRoute53]; AWS WAF [awswaf]; Amazon SNS [AmazonSNS]; AWS Secrets
 * Manager [AWSSecretsManager]; AWS Systems Manager Parameter Store [AWSSystemsManager]; AWS Fargate,
 * Linux, on Amazon ECS [AmazonECS] (https://aws.amazon.com/fargate/pricing/).
 *
 * These were transcribed by hand for PRICES_AS_OF (the US instance-hours come from the instance type
 * data, see US_EC2): the machines that build this project cannot reach the Price List API. Free tiers are not applied (an estimate for one environment should not
 * depend on what else the account runs). Re-check a region's figures against the Price List API
 * (`aws pricing get-products --service-code <offer code> --region us-east-1`) when you change them,
 * and move PRICES_AS_OF with them.
 */

import { US_EAST_1_INSTANCE_HOUR } from './instance-prices';

export const PRICES_AS_OF = '2026-12-01';
export const PRICES_SOURCE =
  'AWS public pricing pages (= Price List API offer files AmazonEC2, AmazonVPC, AWSELB, AmazonCloudWatch, AmazonECR, AmazonS3, awskms, AmazonRoute53, awswaf, AmazonSNS, AWSSecretsManager, AWSSystemsManager, AmazonECS for Fargate), on-demand, Linux, no free tier';

/** Hours in the month every estimate uses (AWS's own convention on the pricing pages). */
export const HOURS_PER_MONTH = 730;

export interface RegionPrices {
  /** Region name as the pricing pages print it. */
  readonly location: string;
  /** On-demand Linux instance hour, by instance type. */
  readonly ec2InstanceHour: Readonly<Record<string, number>>;
  /** Unlimited mode: a surplus CPU credit per vCPU-hour, Linux, by burstable family (EC2 on-demand pricing, "T2/T3/T4g Unlimited Mode Pricing"). */
  readonly ec2SurplusCreditVcpuHour: Readonly<Record<string, number>>;
  readonly ebs: {
    /** Per GB-month, by volume type. */
    readonly gbMonth: Readonly<Record<string, number>>;
    /** gp3: per provisioned IOPS-month above the 3,000 included. */
    readonly gp3IopsMonth: number;
    /** gp3: per MB/s-month above the 125 MB/s included. */
    readonly gp3ThroughputMonth: number;
  };
  readonly vpc: {
    readonly natGatewayHour: number;
    readonly natGatewayGb: number;
    /** Every public IPv4 address, in use or idle, since 2024-02-01. */
    readonly publicIpv4Hour: number;
    /** Interface endpoint, per AZ (subnet). */
    readonly interfaceEndpointHour: number;
    readonly interfaceEndpointGb: number;
  };
  readonly elb: {
    readonly albHour: number;
    readonly albLcuHour: number;
    readonly nlbHour: number;
    readonly nlbLcuHour: number;
  };
  readonly cloudwatch: {
    /** Custom metric (also detailed monitoring and Container Insights metrics), first 10,000 tier. */
    readonly metricMonth: number;
    readonly alarmStandardMonth: number;
    readonly alarmHighResolutionMonth: number;
    readonly compositeAlarmMonth: number;
    readonly dashboardMonth: number;
    /** Standard log class ingestion. */
    readonly logsIngestGb: number;
    /** Archived (stored) logs, per GB-month. */
    readonly logsStorageGbMonth: number;
    /** Vended logs (VPC flow logs, WAF) delivered to CloudWatch Logs, first 10 TB tier. */
    readonly vendedLogsToCloudWatchGb: number;
    /** Vended logs delivered to S3, first 10 TB tier. */
    readonly vendedLogsToS3Gb: number;
  };
  readonly ecr: { readonly storageGbMonth: number };
  readonly s3: { readonly standardGbMonth: number; readonly putPer1000: number };
  readonly kms: { readonly keyMonth: number; readonly requestsPer10k: number };
  readonly route53: { readonly hostedZoneMonth: number; readonly queriesPerMillion: number; readonly healthCheckMonth: number };
  readonly waf: { readonly webAclMonth: number; readonly ruleMonth: number; readonly requestsPerMillion: number };
  readonly sns: { readonly requestsPerMillion: number };
  readonly secretsManager: { readonly secretMonth: number; readonly apiCallsPer10k: number };
  readonly ssm: { readonly advancedParameterMonth: number };
  /** AWS Fargate on ECS, Linux, by CPU architecture (runtime_platform.cpu_architecture); absent where the table has no Fargate prices. */
  readonly fargate?: FargatePrices;
}

export type FargateArchitecture = 'X86_64' | 'ARM64';

export interface FargatePrices {
  /** Per vCPU-hour and per GB-hour of a task's cpu and memory, billed per second with a 1-minute minimum. */
  readonly linux: Readonly<Record<FargateArchitecture, { readonly vcpuHour: number; readonly gbHour: number }>>;
  /** Ephemeral storage above the 20 GB every task gets, per GB-hour. */
  readonly ephemeralGbHour: number;
}

/**
 * Instance-hour prices in N. Virginia, which Ohio and Oregon charge too: every type of the instance
 * type data (tools/instance-types/aws-instance-types.json, with its own date, INSTANCE_PRICES_AS_OF),
 * so each type the config accepts from its table, and the NAT instance's, has a US price.
 */
const US_EC2 = US_EAST_1_INSTANCE_HOUR;

/** Global services (Route 53) and services with one price everywhere listed here. */
const SAME_EVERYWHERE = {
  ec2SurplusCreditVcpuHour: { t2: 0.05, t3: 0.05, t3a: 0.05, t4g: 0.04 },
  ecr: { storageGbMonth: 0.1 },
  kms: { keyMonth: 1.0, requestsPer10k: 0.03 },
  route53: { hostedZoneMonth: 0.5, queriesPerMillion: 0.4, healthCheckMonth: 0.5 },
  waf: { webAclMonth: 5.0, ruleMonth: 1.0, requestsPerMillion: 0.6 },
  sns: { requestsPerMillion: 0.5 },
  secretsManager: { secretMonth: 0.4, apiCallsPer10k: 0.05 },
  ssm: { advancedParameterMonth: 0.05 },
} as const;

const US: Omit<RegionPrices, 'location'> = {
  ec2InstanceHour: US_EC2,
  ebs: { gbMonth: { gp3: 0.08, gp2: 0.1, standard: 0.05 }, gp3IopsMonth: 0.005, gp3ThroughputMonth: 0.04 },
  vpc: { natGatewayHour: 0.045, natGatewayGb: 0.045, publicIpv4Hour: 0.005, interfaceEndpointHour: 0.01, interfaceEndpointGb: 0.01 },
  elb: { albHour: 0.0225, albLcuHour: 0.008, nlbHour: 0.0225, nlbLcuHour: 0.006 },
  cloudwatch: {
    metricMonth: 0.3,
    alarmStandardMonth: 0.1,
    alarmHighResolutionMonth: 0.3,
    compositeAlarmMonth: 0.5,
    dashboardMonth: 3.0,
    logsIngestGb: 0.5,
    logsStorageGbMonth: 0.03,
    vendedLogsToCloudWatchGb: 0.5,
    vendedLogsToS3Gb: 0.25,
  },
  s3: { standardGbMonth: 0.023, putPer1000: 0.005 },
  // Fargate: N. Virginia's prices, which Ohio and Oregon charge too.
  fargate: {
    linux: { X86_64: { vcpuHour: 0.04048, gbHour: 0.004445 }, ARM64: { vcpuHour: 0.03238, gbHour: 0.00356 } },
    ephemeralGbHour: 0.000111,
  },
  ...SAME_EVERYWHERE,
};

export const REGIONS: Readonly<Record<string, RegionPrices>> = {
  'us-east-1': { location: 'US East (N. Virginia)', ...US },
  'us-east-2': { location: 'US East (Ohio)', ...US },
  'us-west-2': { location: 'US West (Oregon)', ...US },
  // Europe: the instance types transcribed by hand for PRICES_AS_OF, a part of the table (npm run cost
  // stops with one line on a type a region does not price), and no Fargate prices yet (a Fargate
  // service there stops it the same way).
  'eu-west-1': {
    location: 'Europe (Ireland)',
    ec2InstanceHour: {
      't2.micro': 0.0126,
      't2.small': 0.025,
      't2.medium': 0.05,
      't2.large': 0.1008,
      't3.micro': 0.0114,
      't3.small': 0.0228,
      't3.medium': 0.0456,
      't3.large': 0.0912,
      't3a.micro': 0.0102,
      't3a.small': 0.0204,
      't3a.medium': 0.0408,
      't3a.large': 0.0816,
      't4g.nano': 0.0046,
      't4g.micro': 0.0092,
      't4g.small': 0.0184,
      't4g.medium': 0.0368,
      't4g.large': 0.0736,
      'm6i.large': 0.107,
      'm7g.large': 0.0911,
    },
    ebs: { gbMonth: { gp3: 0.088, gp2: 0.11, standard: 0.055 }, gp3IopsMonth: 0.0055, gp3ThroughputMonth: 0.044 },
    vpc: { natGatewayHour: 0.048, natGatewayGb: 0.048, publicIpv4Hour: 0.005, interfaceEndpointHour: 0.011, interfaceEndpointGb: 0.01 },
    elb: { albHour: 0.0252, albLcuHour: 0.008, nlbHour: 0.0252, nlbLcuHour: 0.006 },
    cloudwatch: {
      metricMonth: 0.3,
      alarmStandardMonth: 0.1,
      alarmHighResolutionMonth: 0.3,
      compositeAlarmMonth: 0.5,
      dashboardMonth: 3.0,
      logsIngestGb: 0.57,
      logsStorageGbMonth: 0.03,
      vendedLogsToCloudWatchGb: 0.57,
      vendedLogsToS3Gb: 0.285,
    },
    s3: { standardGbMonth: 0.023, putPer1000: 0.005 },
    ...SAME_EVERYWHERE,
  },
  'eu-central-1': {
    location: 'Europe (Frankfurt)',
    ec2InstanceHour: {
      't2.micro': 0.0134,
      't2.small': 0.0268,
      't2.medium': 0.0536,
      't2.large': 0.1072,
      't3.micro': 0.012,
      't3.small': 0.024,
      't3.medium': 0.048,
      't3.large': 0.096,
      't3a.micro': 0.0108,
      't3a.small': 0.0216,
      't3a.medium': 0.0432,
      't3a.large': 0.0864,
      't4g.nano': 0.0048,
      't4g.micro': 0.0096,
      't4g.small': 0.0192,
      't4g.medium': 0.0384,
      't4g.large': 0.0768,
      'm6i.large': 0.115,
      'm7g.large': 0.0975,
    },
    ebs: { gbMonth: { gp3: 0.0952, gp2: 0.119, standard: 0.059 }, gp3IopsMonth: 0.006, gp3ThroughputMonth: 0.048 },
    vpc: { natGatewayHour: 0.052, natGatewayGb: 0.052, publicIpv4Hour: 0.005, interfaceEndpointHour: 0.012, interfaceEndpointGb: 0.01 },
    elb: { albHour: 0.027, albLcuHour: 0.008, nlbHour: 0.027, nlbLcuHour: 0.006 },
    cloudwatch: {
      metricMonth: 0.3,
      alarmStandardMonth: 0.1,
      alarmHighResolutionMonth: 0.3,
      compositeAlarmMonth: 0.5,
      dashboardMonth: 3.0,
      logsIngestGb: 0.63,
      logsStorageGbMonth: 0.0324,
      vendedLogsToCloudWatchGb: 0.63,
      vendedLogsToS3Gb: 0.315,
    },
    s3: { standardGbMonth: 0.0245, putPer1000: 0.0054 },
    ...SAME_EVERYWHERE,
  },
};

/**
 * Resource types that cost nothing by themselves, with the reason. A type in a synthesized stack
 * must be here or have a pricer in estimate.ts (`__tests__/cost/coverage.test.ts` fails otherwise),
 * so nothing is a silent zero.
 */
export const FREE_RESOURCES: Readonly<Record<string, string>> = {
  // Network
  aws_vpc: 'VPCs are free',
  aws_subnet: 'subnets are free',
  aws_route_table: 'route tables are free',
  aws_route: 'routes are free',
  aws_route_table_association: 'route table associations are free',
  aws_main_route_table_association: 'route table associations are free',
  aws_internet_gateway: 'internet gateways are free (data transfer out is billed by traffic)',
  aws_egress_only_internet_gateway: 'egress-only internet gateways are free',
  aws_default_security_group: 'security groups are free',
  aws_security_group: 'security groups are free',
  aws_security_group_rule: 'security group rules are free',
  aws_vpc_security_group_ingress_rule: 'security group rules are free',
  aws_vpc_security_group_egress_rule: 'security group rules are free',
  aws_default_network_acl: 'network ACLs are free',
  aws_network_acl: 'network ACLs are free',
  aws_network_acl_rule: 'network ACL rules are free',
  aws_vpc_endpoint_route_table_association: 'free (gateway endpoint routes)',
  aws_network_interface: 'network interfaces are free (a public IPv4 address on one is priced on its aws_eip)',
  aws_network_interface_attachment: 'free',
  // IAM
  aws_iam_role: 'IAM is free',
  aws_iam_role_policy: 'IAM is free',
  aws_iam_role_policy_attachment: 'IAM is free',
  aws_iam_policy: 'IAM is free',
  aws_iam_instance_profile: 'IAM is free',
  aws_iam_openid_connect_provider: 'IAM is free',
  aws_iam_service_linked_role: 'IAM is free',
  // Load balancing: the load balancer's hours and LCUs cover its listeners and target groups
  aws_lb_listener: 'included in the load balancer hours and LCUs',
  aws_lb_listener_rule: 'included in the load balancer LCUs (rule evaluations)',
  aws_lb_listener_certificate: 'included in the load balancer hours',
  aws_lb_target_group: 'included in the load balancer hours',
  aws_lb_target_group_attachment: 'included in the load balancer hours',
  // ECS on EC2: the instances are what costs
  aws_ecs_cluster_capacity_providers: 'ECS on EC2 has no charge of its own',
  aws_ecs_capacity_provider: 'ECS on EC2 has no charge of its own',
  aws_codedeploy_app: 'CodeDeploy charges nothing for deployments to Amazon ECS',
  aws_codedeploy_deployment_group: 'CodeDeploy charges nothing for deployments to Amazon ECS',
  aws_launch_template: 'priced through the Auto Scaling group or instance that launches it',
  aws_autoscaling_policy: 'EC2 Auto Scaling is free',
  aws_autoscaling_schedule: 'EC2 Auto Scaling is free',
  aws_autoscaling_lifecycle_hook: 'EC2 Auto Scaling is free',
  aws_appautoscaling_target: 'Application Auto Scaling is free (its alarms are managed and free)',
  aws_appautoscaling_policy: 'Application Auto Scaling is free (its alarms are managed and free)',
  aws_appautoscaling_scheduled_action: 'Application Auto Scaling is free',
  // Registries, buckets, keys: the container resource carries the charge
  aws_ecr_lifecycle_policy: 'free; the images it keeps are priced on the repository',
  aws_ecr_repository_policy: 'free',
  aws_s3_bucket_policy: 'free',
  aws_s3_bucket_public_access_block: 'free',
  aws_s3_bucket_ownership_controls: 'free',
  aws_s3_bucket_server_side_encryption_configuration: 'free (SSE-S3; SSE-KMS requests are priced on the key)',
  aws_s3_bucket_lifecycle_configuration: 'free; expiry shortens the storage priced on the bucket',
  aws_s3_bucket_versioning: 'free; old versions are storage, estimated on the bucket',
  aws_s3_bucket_logging: 'free; the log objects are storage in the target bucket',
  aws_kms_alias: 'aliases are free',
  aws_acm_certificate_validation: 'free',
  aws_cloudwatch_log_resource_policy: 'free',
  aws_sns_topic_policy: 'free',
  aws_sns_topic_subscription: 'free; deliveries are priced per publish on the topic (email/SMS extra)',
  aws_wafv2_web_acl_association: 'free; the web ACL is priced',
  aws_wafv2_ip_set: 'free; referenced from priced web ACL rules',
  aws_wafv2_regex_pattern_set: 'free; referenced from priced web ACL rules',
  aws_wafv2_rule_group: 'counted as one rule of each web ACL that uses it',
  aws_wafv2_web_acl_logging_configuration: 'free; the logs are priced at their destination',
  aws_route53_zone_association: 'free',
  aws_secretsmanager_secret_version: 'free; the secret is priced',
  aws_secretsmanager_secret_policy: 'free',
  // The image build runs on the machine that applies; the pushed image is ECR storage
  docker_image: 'built locally by the docker provider; nothing in AWS',
  docker_registry_image: 'the push; the stored image is priced on the ECR repository',
};

/** Data sources read existing things; these cost nothing. */
export const FREE_DATA_SOURCES: Readonly<Record<string, string>> = {
  aws_partition: 'reads provider metadata',
  aws_region: 'reads provider metadata',
  aws_caller_identity: 'reads provider metadata',
  aws_availability_zones: 'reads provider metadata',
  aws_iam_policy_document: 'renders JSON locally',
  aws_ssm_parameter: 'GetParameter on a standard or public parameter is free',
  aws_ami: 'reads AMI metadata',
  aws_ecr_authorization_token: 'GetAuthorizationToken is free',
  aws_ecr_repository: 'reads an existing repository (priced in the stack that owns it)',
  aws_ecr_repositories: 'lists repository names (DescribeRepositories is free)',
  aws_elb_service_account: 'reads the regional ELB account id',
  aws_acm_certificate: 'reads an existing certificate',
  aws_route53_zone: 'reads an existing zone (priced in the stack that owns it)',
  aws_vpc: 'reads an existing VPC',
  aws_subnets: 'reads existing subnets',
  aws_kms_key: 'reads an existing key (priced in the stack that owns it)',
};
