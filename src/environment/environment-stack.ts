import { Construct } from 'constructs';
import { dependable, S3Backend, TerraformStack } from 'cdktf';
import { resolve } from 'node:path';
import { AwsProvider, AwsProviderConfig } from '@cdktf/provider-aws/lib/provider';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { IamServiceLinkedRole } from '@cdktf/provider-aws/lib/iam-service-linked-role';
import { AlarmTopic } from '../operations/alarm-topic';
import { CONTAINER_STOP_TIMEOUT_SECONDS, EnvironmentConfig, ServiceConfig } from './config';
import { ContainerImage } from '../services/container-image';
import { Ec2Capacity } from '../compute/ec2-capacity';
import { EnvironmentAlarms } from '../operations/environment-alarms';
import { ExecLogging } from '../operations/exec-logging';
import { DomainCertificate } from '../edge/domain-certificate';
import { BLOCKED_PATHS_PRIORITY } from './https';
import { dockerPlatform, INSTANCE_TYPES } from '../compute/instance-types';
import { LoadBalancedService } from '../services/load-balanced-service';
import { PublicLoadBalancer } from '../edge/load-balancer';
import { environmentNames } from '../shared/names';
import { Network } from '../network/network';
import { OperationsDashboard } from '../operations/operations-dashboard';
import { OperationsKey } from '../operations/operations-key';
import { addEnvironmentOutputs, declareEnvironment } from './outputs';
import { ServiceAlarms } from '../services/service-alarms';
import { serviceResourceName } from '../services/resolve';
import { applyUpgrades } from './upgrade-moves';
import { WebAcl } from '../edge/web-acl';
import { WorkingHoursSchedule } from '../compute/working-hours-schedule';

/** Default location of the app's source: workload/ at the repository root. */
export const WORKLOAD_DIR = resolve(__dirname, '..', '..', 'workload');

export interface EnvironmentStackProps {
  /** A resolved, validated environment (see selectEnvironments). */
  readonly config: EnvironmentConfig;
  /**
   * Extra AWS provider settings, merged over the defaults: for example `endpoints` for a
   * private API gateway or an emulator. @default none
   */
  readonly providerOverrides?: Partial<AwsProviderConfig>;
}

/** One environment: network, load balancer, capacity, and per service an image, a route and the ECS service. */
export class EnvironmentStack extends TerraformStack {
  public readonly network: Network;
  public readonly loadBalancer: PublicLoadBalancer;
  /** Set when the environment has a domain. */
  public readonly domain?: DomainCertificate;
  /** Set when the WAF is enabled. */
  public readonly webAcl?: WebAcl;
  public readonly capacity: Ec2Capacity;
  /** One per service, in the config's (name) order. */
  public readonly services: readonly LoadBalancedService[];
  /** The image of each service, in the same order as `services`. */
  public readonly images: readonly ContainerImage[];
  /** ECS Exec session logging; set when `operations.exec.enabled`. */
  public readonly execLogging?: ExecLogging;
  /** The one customer managed key of operations: the alarm topic and, with exec, its sessions and log group. */
  public readonly operationsKey: OperationsKey;
  /** The topic every alarm notifies. */
  public readonly alarmTopic: AlarmTopic;
  /** Per service, in the same order as `services`; each service's deployment is judged by its `deploymentAlarms`. */
  public readonly serviceAlarms: ServiceAlarms[] = [];
  public readonly environmentAlarms: EnvironmentAlarms;
  public readonly dashboard: OperationsDashboard;
  /** Set when the environment's schedule is on. */
  public readonly schedule?: WorkingHoursSchedule;
  private dockerProvider?: DockerProvider;

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id);
    const { config } = props;
    const prefix = config.namePrefix;

    const defaultTags = { Project: 'host-name', Environment: config.name, ManagedBy: 'cdktf', ...config.tags };
    new AwsProvider(this, 'aws', {
      region: config.region,
      defaultTags: [{ tags: defaultTags }],
      ...props.providerOverrides,
    });

    if (config.state) {
      new S3Backend(this, {
        bucket: config.state.bucket,
        key: `host-name/${config.name}.tfstate`,
        region: config.state.region,
        encrypt: true,
      });
      // S3-native locking (Terraform 1.10+); cdktf 0.21's S3Backend has no field for it.
      this.addOverride('terraform.backend.s3.use_lockfile', true);
    }

    this.network = new Network(this, 'network', {
      namePrefix: prefix,
      vpcCidr: config.vpcCidr,
      availabilityZones: config.availabilityZones,
      publicSubnetCidrs: config.publicSubnetCidrs,
      privateSubnetCidrs: config.privateSubnetCidrs,
      natMode: config.natMode,
      natInstanceType: config.natInstance.instanceType,
      natInstanceAmiId: config.natInstance.amiId,
      natInstanceTags: defaultTags,
      flowLogs: config.flowLogs && { destination: config.flowLogDestination, trafficType: config.flowLogTraffic },
      logRetentionDays: config.logRetentionDays,
      s3GatewayEndpointRegion: config.region,
    });

    declareEnvironment(this, config);
    const lb = config.loadBalancer;
    const domain = config.domain;
    if (domain) {
      this.domain = new DomainCertificate(this, 'domain-name', {
        zone: domain.zoneName !== undefined ? { name: domain.zoneName } : { id: domain.zoneId! },
        recordName: domain.recordName,
        certificateArn: lb.certificateArn,
      });
    }
    this.loadBalancer = new PublicLoadBalancer(this, 'load-balancer', {
      namePrefix: prefix,
      vpc: this.network.vpc,
      subnets: this.network.publicSubnets.map((s) => s.subnet),
      certificateArn: this.domain?.certificateArn ?? lb.certificateArn,
      hostName: domain?.recordName,
      blockedPaths: lb.blockedPaths,
      blockedPathsPriority: BLOCKED_PATHS_PRIORITY,
      ingressCidrs: lb.ingressCidrs,
      idleTimeoutSeconds: lb.idleTimeoutSeconds,
      deletionProtection: lb.deletionProtection,
      accessLogExpirationDays: lb.accessLogs ? lb.accessLogExpirationDays : undefined,
    });
    this.domain?.aliasTo(this.loadBalancer.loadBalancer);
    if (config.waf.enabled) {
      this.webAcl = new WebAcl(this, 'waf', {
        namePrefix: prefix,
        loadBalancer: this.loadBalancer.loadBalancer,
        rateLimit: config.waf.rateLimit,
        logRetentionDays: config.waf.logging ? config.logRetentionDays : undefined,
      });
    }

    const names = environmentNames(prefix);
    const exec = config.operations.exec.enabled;
    this.operationsKey = new OperationsKey(this, 'operations-key', {
      aliasName: names.operationsKeyAlias,
      region: config.region,
      topicName: names.alarmTopic,
      execLogGroupName: exec ? names.execLogGroup : undefined,
    });
    if (exec) {
      this.execLogging = new ExecLogging(this, 'exec-logging', {
        logGroupName: names.execLogGroup,
        key: this.operationsKey.key,
        logRetentionDays: config.logRetentionDays,
      });
    }

    const instanceSpec = INSTANCE_TYPES[config.instanceType];
    this.capacity = new Ec2Capacity(this, 'capacity', {
      namePrefix: prefix,
      vpc: this.network.vpc,
      subnets: this.network.privateSubnets.map((s) => s.subnet),
      instanceType: config.instanceType,
      instanceSpec,
      minInstances: config.capacity.min,
      maxInstances: config.capacity.max,
      spot: config.spot.enabled ? { onDemandBaseCapacity: config.spot.onDemandBaseCapacity } : undefined,
      reservedMemoryMiB: config.reservedMemoryMiB,
      containerStopTimeoutSeconds: CONTAINER_STOP_TIMEOUT_SECONDS,
      amiId: config.amiId,
      instanceTags: defaultTags,
      targetCapacityPercent: config.capacity.targetCapacityPercent,
      execCommand: this.execLogging && { kmsKeyArn: this.execLogging.key.key.arn, logGroupName: this.execLogging.logGroup.name },
      cpuCredits: config.cpuCredits,
      detailedMonitoring: config.detailedMonitoring,
      containerInsights: config.containerInsights,
    });
    if (config.createEcsServiceLinkedRole) this.addEcsServiceLinkedRole();
    this.loadBalancer.allowTrafficTo(this.capacity.securityGroup, 'ECS container instances');

    this.alarmTopic = new AlarmTopic(this, 'alarm-topic', {
      topicName: names.alarmTopic,
      key: this.operationsKey.key,
      ...config.operations.notifications,
    });
    this.images = config.services.map((service) => this.addImage(config, service));
    this.services = config.services.map((service, i) => this.addService(config, service, this.images[i]));

    const alarms = config.operations.alarms;
    const actions = [this.alarmTopic.topic.arn];
    const cluster = this.capacity.cluster;
    const loadBalancerArnSuffix = this.loadBalancer.loadBalancer.arnSuffix;
    const watched = this.services.map((s) => ({
      name: s.name,
      watched: {
        loadBalancerArnSuffix,
        targetGroupArnSuffix: s.route.targetGroup.arnSuffix,
        clusterName: cluster.name,
        serviceName: s.service.name,
      },
    }));
    const environment = { loadBalancerArnSuffix, clusterName: cluster.name, capacityProviderName: this.capacity.capacityProvider.name };
    this.environmentAlarms = new EnvironmentAlarms(this, 'alarms', {
      namePrefix: prefix,
      watched: environment,
      loadBalancer5xxPercent: alarms.loadBalancer5xxPercent,
      minimumRequestsPerMinute: alarms.minimumRequestsPerMinute,
      evaluationMinutes: alarms.evaluationMinutes,
      capacityShortMinutes: alarms.capacityShortMinutes,
      actions,
    });
    this.dashboard = new OperationsDashboard(this, 'dashboard', {
      dashboardName: names.dashboard,
      region: config.region,
      environment,
      services: watched,
      alarms: [...this.environmentAlarms.all, ...this.serviceAlarms.flatMap((a) => a.all)],
      containerInsights: config.containerInsights,
    });

    if (config.schedule.enabled) this.schedule = this.addSchedule(config);
    addEnvironmentOutputs(this, config, this);
    applyUpgrades(this, this);
  }

  /**
   * A fresh account may not have ECS's service-linked role yet; the cluster and the capacity
   * provider then fail to create. One per account: docs/bootstrap.md.
   */
  private addEcsServiceLinkedRole(): void {
    const role = new IamServiceLinkedRole(this, 'ecs-service-linked-role', {
      awsServiceName: 'ecs.amazonaws.com',
      description: 'ECS service-linked role, created by host-name for a fresh account',
    });
    for (const resource of [this.capacity.cluster, this.capacity.capacityProvider]) resource.dependsOn = [dependable(role)];
  }

  private addImage(config: EnvironmentConfig, service: ServiceConfig): ContainerImage {
    const source = service.image;
    const image = new ContainerImage(this, `image-${service.name}`, {
      repositoryName: source.kind === 'build' ? source.repositoryName : serviceResourceName(config.namePrefix, service.name),
      source:
        source.kind === 'uri'
          ? source
          : { kind: 'build', directory: source.directory, platform: dockerPlatform(INSTANCE_TYPES[config.instanceType]) },
      dockerProvider: this.dockerProvider,
    });
    this.dockerProvider ??= image.dockerProvider;
    return image;
  }

  private addService(config: EnvironmentConfig, service: ServiceConfig, image: ContainerImage): LoadBalancedService {
    const { routing, targetGroup: tg } = service;
    const route = this.loadBalancer.addRoute(service.name, {
      targetGroupName: serviceResourceName(config.namePrefix, service.name),
      pathPatterns: routing.pathPatterns,
      hostHeaders: routing.hostHeaders,
      priority: routing.priority,
      default: routing.default,
      healthCheck: {
        path: tg.healthCheckPath,
        intervalSeconds: tg.healthCheckIntervalSeconds,
        healthyThreshold: tg.healthyThreshold,
        unhealthyThreshold: tg.unhealthyThreshold,
      },
      deregistrationDelaySeconds: tg.deregistrationDelaySeconds,
    });
    // The alarms that page are also the ones a deployment is judged by: one set, one threshold each.
    const thresholds = config.operations.alarms;
    const alarms = new ServiceAlarms(this, `alarms-${service.name}`, {
      namePrefix: config.namePrefix,
      serviceName: service.name,
      watched: {
        loadBalancerArnSuffix: this.loadBalancer.loadBalancer.arnSuffix,
        targetGroupArnSuffix: route.targetGroup.arnSuffix,
        clusterName: this.capacity.cluster.name,
        serviceName: service.name,
      },
      thresholds: thresholds.services[service.name],
      minimumRequestsPerMinute: thresholds.minimumRequestsPerMinute,
      actions: [this.alarmTopic.topic.arn],
      containerInsights: config.containerInsights,
    });
    this.serviceAlarms.push(alarms);
    const ecsService = new LoadBalancedService(this, `service-${service.name}`, {
      serviceName: service.name,
      namePrefix: config.namePrefix,
      region: config.region,
      imageUri: image.imageUri,
      capacity: this.capacity,
      route,
      container: service.container,
      scaling: service.scaling,
      deployment: service.deployment,
      deploymentAlarmNames: alarms.deploymentAlarms.map((a) => a.alarmName),
      logRetentionDays: config.logRetentionDays,
      execCommand: this.execLogging && { logGroupArn: this.execLogging.logGroup.arn, kmsKeyArn: this.execLogging.key.key.arn },
    });
    return ecsService;
  }

  private addSchedule(config: EnvironmentConfig): WorkingHoursSchedule {
    const { timeZone, days, start, stop } = config.schedule;
    return new WorkingHoursSchedule(this, 'schedule', {
      namePrefix: config.namePrefix,
      timeZone,
      days,
      start,
      stop,
      autoScalingGroup: this.capacity.autoScalingGroup,
      natAutoScalingGroup: this.network.natInstance?.autoScalingGroup,
      minInstances: config.capacity.min,
      maxInstances: config.capacity.max,
      services: this.services.map((service, i) => ({
        name: serviceResourceName(config.namePrefix, service.name),
        scalingTarget: service.scalingTarget,
        minTasks: config.services[i].scaling.minTasks,
        maxTasks: config.services[i].scaling.maxTasks,
      })),
    });
  }
}
