/**
 * Every physical name of an environment, from its name prefix: the constructs build them with these
 * functions, config validation checks them (lengths, and that no service takes an environment's
 * name), and `npm run ops` finds a deployed environment by them. Stack names too: every command takes them.
 */
import { fnv1a } from './hash';
/** The project's name: the first part of every stack, state key, pipeline repository and CI role. */
export const PROJECT = 'host-name';

/** Names of the project's own things, beside the environments'. */
export const projectNames = {
  /** `cdktf deploy host-name-dev`: stack names are part of the interface, keep them stable. */
  stack: (environment: string) => `${PROJECT}-${environment}`,
  stateStack: `${PROJECT}-state`,
  registryStack: `${PROJECT}-registry`,
  /** An environment's namePrefix when it sets none. */
  defaultNamePrefix: (environment: string) => `${PROJECT}-${environment}`,
  /** The state objects' folder in the state bucket. */
  stateFolder: `${PROJECT}/`,
  stateKey: (environment: string) => `${PROJECT}/${environment}.tfstate`,
  /** The repository the pipeline pushes a built service's images to. */
  pipelineRepository: (service: string) => `${PROJECT}/${service}`,
  planRole: `${PROJECT}-plan`,
  pushRole: `${PROJECT}-push`,
  deployRole: (environment: string) => `${PROJECT}-deploy-${environment}`,
} as const;

/** Stack names are part of the interface (`npm run deploy -- host-name-dev`, state file names): keep them stable. */
export function environmentStackName(environment: string): string {
  return projectNames.stack(environment);
}

/** The shared image registry's stack. */
export const REGISTRY_STACK_NAME = projectNames.registryStack;

/** The state bucket's stack; one per bucket, suffixed with its first environment, when environments use different buckets. */
export const STATE_STACK_NAME = projectNames.stateStack;

export function stateStackName(firstEnvironment?: string): string {
  return firstEnvironment === undefined ? STATE_STACK_NAME : `${STATE_STACK_NAME}-${firstEnvironment}`;
}

/** WAF only delivers logs to log groups whose name starts with this. */
export const WAF_LOG_GROUP_PREFIX = 'aws-waf-logs-';

export const environmentNames = (namePrefix: string) =>
  ({
    cluster: `${namePrefix}-cluster`,
    autoScalingGroup: `${namePrefix}-instances`,
    capacityProvider: `${namePrefix}-ec2`,
    /** The Spot group and its capacity provider (spot.enabled). */
    spotAutoScalingGroup: `${namePrefix}-spot-instances`,
    spotCapacityProvider: `${namePrefix}-ec2-spot`,
    spotLaunchTemplatePrefix: `${namePrefix}-spot-`,
    /** The container instances' role and instance profile. */
    instanceRole: `${namePrefix}-instance`,
    instancesSecurityGroup: `${namePrefix}-instances`,
    /** The load balancer and its security group. */
    loadBalancer: `${namePrefix}-alb`,
    /** Alarm names all start with this, so `describe-alarms --alarm-name-prefix` finds the environment's. */
    alarmPrefix: `${namePrefix}-`,
    alarmTopic: `${namePrefix}-alarms`,
    dashboard: namePrefix,
    execLogGroup: `/ecs/${namePrefix}/exec`,
    flowLogGroup: `/vpc/${namePrefix}/flow-logs`,
    flowLogBucketPrefix: `${namePrefix}-flow-logs-`,
    accessLogBucketPrefix: `${namePrefix}-alb-logs-`,
    launchTemplatePrefix: `${namePrefix}-`,
    albErrorsAlarm: `${namePrefix}-alb-5xx`,
    capacityShortAlarm: `${namePrefix}-capacity-short`,
    spotCapacityShortAlarm: `${namePrefix}-capacity-short-spot`,
    webAcl: namePrefix,
    wafLogGroup: `${WAF_LOG_GROUP_PREFIX}${namePrefix}`,
    flowLogRole: `${namePrefix}-flow-logs`,
    /** The one customer managed key of operations: alarm topic, ECS Exec (`alias/<this>`). */
    operationsKeyAlias: `${namePrefix}-operations`,
    vpc: `${namePrefix}-vpc`,
    /** The VPC's default security group, adopted with no rules. */
    defaultSecurityGroup: `${namePrefix}-default-deny`,
    internetGateway: `${namePrefix}-igw`,
    publicRouteTable: `${namePrefix}-public`,
    s3Endpoint: `${namePrefix}-s3`,
    flowLogs: `${namePrefix}-flow-logs`,
    /** The NAT instance, its interface, security group, role and group; also its schedule's actions' base name. */
    natInstance: `${namePrefix}-nat`,
    /** The Name tag of each container instance. */
    containerInstance: `${namePrefix}-instance`,
    blockedPathsRule: `${namePrefix}-blocked-paths`,
    wafRateLimitMetric: `${namePrefix}-rate-limit`,
  }) as const;

/** Names of an environment's per-AZ network resources. */
export const zoneNames = (namePrefix: string, az: string) =>
  ({
    publicSubnet: `${namePrefix}-public-${az}`,
    privateSubnet: `${namePrefix}-private-${az}`,
    /** A NAT gateway and its Elastic IP. */
    natGateway: `${namePrefix}-nat-${az}`,
  }) as const;

/** A WAF rule group's CloudWatch metric. */
export function wafRuleMetricName(namePrefix: string, group: string): string {
  return `${namePrefix}-${group}`;
}

/** `<prefix>-<service>[-<suffix>]`: every name a service owns but its log group (target group, task family, roles, scaling policies, alarms). */
export function serviceResourceName(namePrefix: string, service: string, suffix?: string): string {
  return [namePrefix, service, suffix].filter((x) => x !== undefined).join('-');
}

/**
 * A blue-green service's own names beside `serviceResourceName`'s: the second target group (CodeDeploy
 * alternates between the two, so neither stays "blue"), the CodeDeploy application and deployment group,
 * and the role CodeDeploy assumes.
 */
export function blueGreenNames(namePrefix: string, service: string) {
  return {
    alternateTargetGroup: serviceResourceName(namePrefix, service, 'g'),
    application: serviceResourceName(namePrefix, service),
    deploymentGroup: serviceResourceName(namePrefix, service),
    codeDeployRole: serviceResourceName(namePrefix, service, 'codedeploy'),
  } as const;
}

/** A service's log group: beside the environment's exec log group, so a service may not be named `exec` while exec is on. */
export function serviceLogGroupName(namePrefix: string, service: string): string {
  return `/ecs/${namePrefix}/${service}`;
}

/** A service's target group: instance targets under `<prefix>-<service>`; IP targets (Fargate) under a name of their own. */
export function serviceTargetGroupName(namePrefix: string, service: string, ipTargets: boolean): string {
  return ipTargets ? fargateNames(namePrefix, service).targetGroup : serviceResourceName(namePrefix, service);
}

/** Target group names: AWS allows 32 characters. */
export const TARGET_GROUP_NAME_MAX = 32;

/**
 * `name` itself when it fits `max`, else its first characters and a hash of the whole (FNV-1a,
 * base 36), so two long names that share a beginning still differ: the truncate-and-hash pattern of
 * generated physical names.
 */
export function fitName(name: string, max: number): string {
  if (name.length <= max) return name;
  const suffix = fnv1a(name).toString(36).padStart(7, '0');
  return `${name.slice(0, max - suffix.length - 1).replace(/-+$/, '')}-${suffix}`;
}

/**
 * A Fargate service's own names: its target group of IP targets (a name other than the instance
 * group's, so the group is created before the old one is destroyed; hashed to fit when the prefix
 * and service leave no room for the suffix), and its tasks' security group.
 */
export function fargateNames(namePrefix: string, service: string) {
  return {
    targetGroup: fitName(serviceResourceName(namePrefix, service, 'ip'), TARGET_GROUP_NAME_MAX),
    taskSecurityGroup: serviceResourceName(namePrefix, service, 'tasks'),
  } as const;
}
